package plots

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

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

// failedLine returns the values per second of the line drawn in the
// failed colour on a timeline of res, read off the SVG against the
// responses/s line of the same panel, whose values are known; nil if
// there is no such line.
func failedLine(t *testing.T, res *stats.Result) []float64 {
	t.Helper()
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	failed := pathPoints(svg, "#A50026", 4)
	if len(failed) == 0 {
		return nil
	}
	resp := pathPoints(svg, "#0072B2", 4)
	if len(failed) != 1 || len(resp) != 1 || len(failed[0]) != 2*len(res.Intervals) || len(resp[0]) != len(failed[0]) {
		t.Fatalf("failed-status paths %v, responses paths %v: want one step line each, two points a second", failed, resp)
	}
	// The responses of seconds a and b fix the axis: value = k*y + c.
	a, b := 0, 1
	for i := range res.Intervals {
		if res.Intervals[i].Responses != res.Intervals[a].Responses {
			b = i
		}
	}
	ra, rb := float64(res.Intervals[a].Responses), float64(res.Intervals[b].Responses)
	ya, yb := resp[0][2*a].Y, resp[0][2*b].Y
	k := (rb - ra) / (yb - ya)
	var vals []float64
	for i, pt := range failed[0] {
		if pt.X != resp[0][i].X {
			t.Fatalf("failed-status point %d at x %v, the responses' at %v: not over the same seconds", i, pt.X, resp[0][i].X)
		}
		if i%2 == 0 {
			vals = append(vals, ra+k*(pt.Y-ya))
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
	// Within 15 a second: the SVG keeps points to 0.01 pt, some 5 a second here.
	got, want := failedLine(t, res), []float64{0, 600, 150, 0}
	if !slices.EqualFunc(got, want, func(g, w float64) bool { return math.Abs(g-w) <= 15 }) {
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
	if n := strings.Count(svg, "failed"); n != 2 {
		t.Errorf("%q %d times, want twice (the failing run's legend, and the subtitle): %s", "failed", n, svg)
	}
	alone := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{SeriesOf("clean", clean)}, p, s) }))
	if strings.Contains(alone, "failed") {
		t.Errorf("a run without failures speaks of them: %s", alone)
	}
}
