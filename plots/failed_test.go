package plots

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/nowait/nowait/stats"
)

// failing returns a closed run whose seconds answered n[i] requests with
// a 500 (of its 2,000 or so a second), as a target with --fault 500 does.
func failing(n ...uint64) *stats.Result {
	res := synthRun(21, "async", len(n), 2000, 800)
	for i, k := range n {
		iv := &res.Intervals[i]
		iv.Status[200] -= k
		iv.Status[500] += k
		res.Status[200] -= k
		res.Status[500] += k
	}
	return res
}

// pathPoints returns the points, in SVG units, of each path of svg
// stroked in stroke with at least minPoints points: data lines, not their
// legend samples.
func pathPoints(svg, stroke string, minPoints int) []plotter.XYs {
	var paths []plotter.XYs
	num := regexp.MustCompile(`[ML]([-0-9.]+),([-0-9.]+)`)
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if !strings.Contains(el, "stroke:"+stroke+";") {
			continue
		}
		var pts plotter.XYs
		for _, m := range num.FindAllStringSubmatch(el, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			y, _ := strconv.ParseFloat(m[2], 64)
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) >= minPoints {
			paths = append(paths, pts)
		}
	}
	return paths
}

// panelLines draws the panel p alone and returns the lines stroked in
// stroke with at least minPoints points, in data units (seconds, and the
// values of p's linear y axis).
func panelLines(t *testing.T, p *plot.Plot, stroke string, minPoints int) []plotter.XYs {
	t.Helper()
	c := vgsvg.New(DefaultWidth, DefaultHeight)
	dc := draw.New(c)
	p.Draw(dc)
	da := p.DataCanvas(dc)
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	lines := pathPoints(b.String(), stroke, minPoints)
	for _, l := range lines {
		for i := range l {
			l[i].X = p.X.Min + float64((vg.Length(l[i].X)-da.Min.X)/(da.Max.X-da.Min.X))*(p.X.Max-p.X.Min)
			l[i].Y = p.Y.Min + float64((vg.Length(l[i].Y)-da.Min.Y)/(da.Max.Y-da.Min.Y))*(p.Y.Max-p.Y.Min)
		}
	}
	return lines
}

// failedLine returns the values per second of the line drawn in the
// failed colour on a timeline of res, checking that it is a step line
// over the seconds of the run, in a panel of its own under the
// responses/s; nil if there is no such line.
func failedLine(t *testing.T, res *stats.Result) []float64 {
	t.Helper()
	tl, err := timelinePlots(lookFor(Size{}), res)
	if err != nil {
		t.Fatal(err)
	}
	var vals []float64
	for r, row := range tl.rows {
		lines := panelLines(t, row[0], "#A50026", 4)
		if len(lines) == 0 {
			continue
		}
		if vals != nil || len(lines) != 1 || len(lines[0]) != 2*len(res.Intervals) {
			t.Fatalf("failed-status lines %v: want one step line, two points a second", lines)
		}
		if r == 0 || tl.rows[r-1][0].Y.Label.Text != "Responses/s" || row[0].Y.Label.Text != "Failed/s" {
			t.Errorf("failed-status line on a panel labelled %q under %q: want its own, under the responses", row[0].Y.Label.Text, tl.rows[max(r-1, 0)][0].Y.Label.Text)
		}
		for i, pt := range lines[0] {
			iv := res.Intervals[i/2]
			if x := float64([2]int64{iv.StartNs, iv.EndNs}[i%2]) / 1e9; math.Abs(pt.X-x) > 0.001 {
				t.Fatalf("failed-status point %d at %v s, want %v s: not over the seconds", i, pt.X, x)
			}
			if i%2 == 0 {
				vals = append(vals, math.Round(pt.Y))
			}
		}
	}
	return vals
}

// Responses with a failed status (a 500 answers, it is no transport
// error) are drawn per second on the throughput panel, as the report's
// "failed" counts them, with their total: QA's run with 32% of 500s
// showed them nowhere. A run without any draws no such line.
func TestTimelineDrawsFailedStatuses(t *testing.T) {
	res := failing(0, 600, 150, 0)
	got, want := failedLine(t, res), []float64{0, 600, 150, 0}
	if !slices.Equal(got, want) {
		t.Errorf("failed statuses drawn at %v a second, want %v", got, want)
	}
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	if _, ok := svgTexts(svg)["non-2xx/3xx/s (750 in all)"]; !ok {
		t.Errorf("no legend for the failed statuses in %v", svgTexts(svg))
	}

	clean := synthRun(22, "async", 3, 2000, 800)
	if pts := failedLine(t, clean); pts != nil {
		t.Errorf("a run with no failed status has a failed-status line %v", pts)
	}
	for text := range svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(clean, p, s) })) {
		if strings.Contains(text, "non-2xx") {
			t.Errorf("a run with no failed status says %q", text)
		}
	}
}

// A run saved before the status classes were kept per second has its
// failed statuses in its totals alone: the legend gives their total and
// says so, and no line of zeros claims there were none.
func TestTimelineFailedStatusesOfAnOlderRun(t *testing.T) {
	res := failing(0, 600, 150)
	for i := range res.Intervals {
		res.Intervals[i].Status = [stats.MaxStatus]uint64{} // as an older timeseries.csv reads back
	}
	if pts := failedLine(t, res); pts != nil {
		t.Errorf("failed-status line %v drawn without per-second counts", pts)
	}
	texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	if _, ok := texts["non-2xx/3xx: 750 in all (not saved per second)"]; !ok {
		t.Errorf("no total of failed statuses in %v", texts)
	}
}

// A spectrum says how many attempts failed, in the legend of each run
// that had failures and in the subtitle that says what failed means: QA's
// run with every response a 503 drew a line as healthy as any other. A
// run without failures says nothing of them.
func TestSpectrumNamesFailures(t *testing.T) {
	bad := failing(0, 600, 150)
	bad.Errors[stats.ErrTimeout] += 50
	clean := synthRun(23, "async", 3, 2000, 800)
	svg := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error {
		return Spectrum([]Series{SeriesOf("clean", clean), SeriesOf("bad", bad)}, p, s)
	}))
	share := float64(bad.FailedResponses()+bad.ErrorTotal()) * 100 / float64(bad.Responses+bad.ErrorTotal())
	want := strconv.FormatFloat(share, 'f', 2, 64) + "% failed"
	if !regexp.MustCompile(`bad: p50 [^(]*\([0-9,]+ responses, ` + regexp.QuoteMeta(want) + `\)`).MatchString(svg) {
		t.Errorf("no %q in the legend of the failing run: %s", want, svg)
	}
	if n := strings.Count(strings.ToLower(svg), "failed"); n != 2 {
		t.Errorf("%q %d times, want twice (the failing run's legend, and the subtitle): %s", "failed", n, svg)
	}
	alone := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{SeriesOf("clean", clean)}, p, s) }))
	if strings.Contains(alone, "failed") {
		t.Errorf("a run without failures speaks of them: %s", alone)
	}
}

// Failures have a panel of their own, on their own scale, under the
// responses: QA's run with every response a 503 drew the failed line
// over the responses line, which vanished, and QA's r-refuse marked 100
// errors a second on the zero line of an axis to 6,000, as "errors/s (416
// in all)" without their kinds.
func TestTimelineFailuresHaveTheirOwnScale(t *testing.T) {
	all := failing(2000, 2000, 2000)
	for i := range all.Intervals {
		iv := &all.Intervals[i]
		iv.Status[500] += iv.Status[200]
		all.Status[500] += iv.Status[200]
		all.Status[200] -= iv.Status[200]
		iv.Status[200] = 0
	}
	if got := failedLine(t, all); len(got) != 3 || got[0] != float64(all.Intervals[0].Responses) {
		t.Errorf("every response failed: failed statuses drawn at %v a second, want the responses, %d in the first second", got, all.Intervals[0].Responses)
	}
	tl, err := timelinePlots(lookFor(Size{}), all)
	if err != nil {
		t.Fatal(err)
	}
	if lines := panelLines(t, tl.rows[0][0], "#0072B2", 6); len(lines) != 1 {
		t.Errorf("every response failed: %d responses lines on the top panel, want 1", len(lines))
	}

	// 2,000 responses a second, and 9, 12 and 3 errors of two kinds.
	res := synthRun(24, "async", 3, 2000, 800)
	for i, n := range []uint64{9, 12, 3} {
		iv := &res.Intervals[i]
		iv.Errors[stats.ErrConnectRefused] += n - 1
		iv.Errors[stats.ErrReset]++
		res.Errors[stats.ErrConnectRefused] += n - 1
		res.Errors[stats.ErrReset]++
	}
	tl, err = timelinePlots(lookFor(Size{}), res)
	if err != nil {
		t.Fatal(err)
	}
	var errs *plot.Plot
	for _, row := range tl.rows {
		if row[0].Y.Label.Text == "Errors/s" {
			errs = row[0]
		}
	}
	if errs == nil || errs.Y.Max > 2*12 {
		t.Fatalf("errors of up to 12 a second: errors panel %v, want one whose axis ends below 24", errs)
	}
	want := fmt.Sprintf("errors/s (24 in all: connect refused %d, reset %d)", res.Errors[stats.ErrConnectRefused], res.Errors[stats.ErrReset])
	if _, ok := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))[want]; !ok {
		t.Errorf("timeline lacks %q", want)
	}
}
