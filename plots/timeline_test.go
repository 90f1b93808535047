package plots

import (
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/nowait/nowait/stats"
)

// drawSVG draws a chart into a temporary SVG and returns its text.
func drawSVG(t *testing.T, size Size, draw func(path string, size Size) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chart.svg")
	if err := draw(path, size); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// svgTexts returns every text element of svg, unescaped, with its y as
// the SVG writes it.
func svgTexts(svg string) map[string]float64 {
	texts := map[string]float64{}
	for _, tx := range svgTextsAt(svg) {
		texts[html.UnescapeString(tx.s)] = -tx.y
	}
	return texts
}

// holdRun is a hold run of 100 connections opened over three seconds.
func holdRun() *stats.Result {
	res := synthRun(11, "async", 4, 100, 800)
	res.Model, res.Connections = "hold", 100
	for i, n := range []int{40, 80, 100, 100} {
		res.Intervals[i].OpenConns = n
	}
	res.PeakOpenConns = 100
	return res
}

// A hold run's timeline charts its main measure, the connections open,
// through every second (one point per second and the start).
func TestTimelineOfHoldRunChartsOpenConnections(t *testing.T) {
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(holdRun(), p, s) })
	texts := svgTexts(svg)
	for _, want := range []string{"Open connections", "open at the end of each second (peak 100)", "asked for 100"} {
		if _, ok := texts[want]; !ok {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if !hasLine([]byte(svg), line{"#56B4E9", 5}) {
		t.Error("no open-connections line of 5 points (the start and 4 seconds)")
	}
	// A closed run at a steady connection count has no such panel.
	closed := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(synthRun(12, "async", 4, 100, 800), p, s) })
	if _, ok := svgTexts(closed)["Open connections"]; ok {
		t.Error("a closed run at 64 steady connections got an open-connections panel")
	}
}

// pathXRange returns the x range, in SVG points, of the paths of svg
// stroked in stroke; vertical only keeps vertical ones (grid lines).
func pathXRange(svg, stroke string, vertical bool) (lo, hi float64, n int) {
	lo, hi = 1e18, -1e18
	num := regexp.MustCompile(`([ML])([-0-9.]+),([-0-9.]+)`)
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if !strings.Contains(el, "stroke:"+stroke+";") {
			continue
		}
		pts := num.FindAllStringSubmatch(el, -1)
		if vertical && (len(pts) != 2 || pts[0][2] != pts[1][2]) {
			continue
		}
		for _, m := range pts {
			x, _ := strconv.ParseFloat(m[2], 64)
			lo, hi, n = min(lo, x), max(hi, x), n+1
		}
	}
	return lo, hi, n
}

// Every interval is drawn over the time it covers: the throughput and
// latency lines run from 0 to the end, also for a run shorter than one
// second, which still gets sub-second time ticks.
func TestTimelineCoversTheWholeRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *stats.Result
		end  float64
	}{
		{"two seconds", synthRun(13, "async", 2, 500, 800), 2},
		{"70 ms", func() *stats.Result {
			r := synthRun(14, "async", 1, 500, 800)
			r.Intervals[0].EndNs = 70e6
			return r
		}(), 0.07},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := timelinePlots(lookFor(Size{}), tc.res)
			grid := tl.rows
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range grid {
				p := row[0]
				lo, hi := math.Inf(1), math.Inf(-1)
				for _, b := range p.GlyphBoxes(p) { // a box per point of every line, x from 0 (axis start) to 1 (end)
					lo, hi = min(lo, b.X), max(hi, b.X)
				}
				if lo != 0 || hi != 1 || p.X.Min != 0 || p.X.Max != tc.end {
					t.Errorf("panel %d: points from %v to %v of an axis over [%v, %v], want 0 to 1 of [0, %v]", i, lo, hi, p.X.Min, p.X.Max, tc.end)
				}
			}
			svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(tc.res, p, s) })
			for _, stroke := range []string{"#0072B2", "#009E73"} { // responses/s, p50
				if _, _, n := pathXRange(svg, stroke, false); n < 4 { // the legend's sample and the line
					t.Errorf("no line stroked %s drawn", stroke)
				}
			}
			if tc.end < 1 {
				if _, ok := svgTexts(svg)["50"]; !ok {
					t.Error("a 70 ms run has no 50 ms tick")
				}
			}
		})
	}
}

// A long URL does not push the title off the chart: the title is short,
// and the target goes in a subtitle shortened in the middle to fit.
func TestTimelineLongTargetIsShortenedToFit(t *testing.T) {
	res := synthRun(15, "async", 2, 500, 800)
	res.Target = "http://127.0.0.1:8080/api/v1/customers/orders/search?status=open&limit=100&sort=created_at&page=1&fields=id,name,total,status,items"
	for _, size := range []Size{{}, {W: 4 * vg.Inch, H: 3 * vg.Inch}} {
		texts := svgTexts(drawSVG(t, size, func(p string, s Size) error { return Timeline(res, p, s) }))
		if _, ok := texts["Throughput and latency over time"]; !ok {
			t.Errorf("size %v: no title", size)
		}
		found := false
		for s := range texts {
			if strings.Contains(s, res.Target) {
				t.Errorf("size %v: the whole URL is drawn: %q", size, s)
			}
			if strings.HasPrefix(s, "http://127.0.0.1:8080/") && strings.Contains(s, "…") {
				found = true
				if w := lookFor(size).font(subtitlePt, false); textStyle(subtitlePt, false, nil, lookFor(size)).Width(s) > size.orDefault().W {
					t.Errorf("size %v: subtitle %q in %v is wider than the chart", size, s, w)
				}
			}
		}
		if !found {
			t.Errorf("size %v: no shortened target among %v", size, texts)
		}
	}
}

// A run with no responses says so in its latency panel, with no values
// on its axis (not -1 to 1, nor a made-up 0.1 to 10 ms as QA's
// r-openhang had) and no caption over no line: an open-model run said
// "Latency from the intended send time (coordinated omission corrected):"
// with nothing after it.
func TestTimelineWithoutResponses(t *testing.T) {
	for _, model := range []string{"closed", "open"} {
		res := stats.NewResult()
		rec := stats.NewRecorder()
		rec.EndWarmup(0)
		rec.RecordError(stats.ErrConnectRefused)
		rec.CloseInterval(1e9, 0)
		res.AddRecorder(rec)
		res.Model, res.RatePerSec = model, 200
		texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
		for _, want := range []string{"no responses: no latency to show", "Latency", "errors/s (1 in all: connect refused 1)"} {
			if _, ok := texts[want]; !ok {
				t.Errorf("%s: timeline lacks %q", model, want)
			}
		}
		for tx := range texts {
			if tx == "-1" || tx == "−1" || strings.HasSuffix(tx, " ms") || strings.HasSuffix(tx, ":") {
				t.Errorf("%s: timeline has %q", model, tx)
			}
		}
	}
}

// openRun is an open-model run at 6,000 req/s whose generator could not
// keep up and dropped requests.
func openRun() *stats.Result {
	res := synthRun(16, "async", 4, 2000, 800)
	res.Model, res.RatePerSec = "open", 6000
	res.Saturation = stats.Saturation{Saturated: true, Reason: "sends lagged the schedule by p99 50.3ms"}
	for i := range res.Intervals {
		res.Intervals[i].Dropped = 400
	}
	res.Dropped = 1600
	return res
}

// An open-model run's charts say what was asked and that the generator
// was saturated: the spectrum shows the service time beside the latency
// from the intended send, the timeline the target rate and the dropped.
func TestOpenSaturatedRunCharts(t *testing.T) {
	res := openRun()
	spectrum := drawSVG(t, Size{}, func(p string, s Size) error {
		return Spectrum([]Series{SeriesOf("async", res)}, p, s)
	})
	texts := svgTexts(spectrum)
	var service, corrected, warned bool
	for s := range texts {
		service = service || strings.HasPrefix(s, "async service time: p50")
		corrected = corrected || strings.HasPrefix(s, "async from intended send: p50")
		warned = warned || strings.HasPrefix(s, "schedule not kept: sends lagged")
	}
	if !service || !corrected || !warned {
		t.Errorf("spectrum: service line %v, corrected line %v, saturation warning %v; texts %v", service, corrected, warned, texts)
	}
	if n := strings.Count(spectrum, "stroke:#0072B2;stroke-width:2;stroke-dasharray"); n != 2 { // the line and its legend sample
		t.Errorf("spectrum has %d dashed service-time paths, want 2", n)
	}
	timeline := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	for _, want := range []string{"target 6,000 req/s", "1,600 dropped: due, never sent by the end", "schedule not kept: sends lagged the schedule by p99 50.3ms"} {
		if _, ok := timeline[want]; !ok {
			t.Errorf("timeline lacks %q", want)
		}
	}
	tl, err := timelinePlots(lookFor(Size{}), res)
	grid := tl.rows
	if err != nil {
		t.Fatal(err)
	}
	if top := grid[0][0]; top.Y.Max <= 6000 {
		t.Errorf("throughput axis ends at %v, below the target rate", top.Y.Max)
	}
}

// Dropped requests are counted as an open run ends, so they all fall in
// its last second: the timeline gives their total, not a rate that would
// squash the responses under it, and a ramp saved without its rates (by
// a nowait that did not keep them) gets no schedule line made of sent
// plus dropped.
func TestOpenTimelineDroppedAtTheEnd(t *testing.T) {
	for _, rate := range []float64{2000, 0} { // a constant rate, a ramp
		res := synthRun(18, "async", 4, 2000, 800)
		res.Model, res.RatePerSec = "open", rate
		last := &res.Intervals[len(res.Intervals)-1]
		last.Dropped, res.Dropped = 129_000, 129_000
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
		texts := svgTexts(svg)
		if _, ok := texts["129,000 dropped: due, never sent by the end"]; !ok {
			t.Errorf("rate %v: no total of dropped requests in %v", rate, texts)
		}
		for text := range texts {
			if strings.Contains(text, "dropped/s") || strings.Contains(text, "due/s") {
				t.Errorf("rate %v: timeline has %q", rate, text)
			}
		}
		tl, err := timelinePlots(lookFor(Size{}), res)
		grid := tl.rows
		if err != nil {
			t.Fatal(err)
		}
		if top := grid[0][0].Y.Max; top > 4*2200 {
			t.Errorf("rate %v: throughput axis ends at %v for about 2,000 responses/s", rate, top)
		}
		_, target := texts["target 2,000 req/s"]
		dashed := strings.Contains(svg, "stroke:#000000;stroke-width:1.25;stroke-dasharray")
		if target != (rate > 0) || dashed != (rate > 0) {
			t.Errorf("rate %v: target legend %v, dashed schedule line %v", rate, target, dashed)
		}
	}
}

// pathTopY returns the highest y, in the SVG's own (upward) units, of the
// paths stroked in stroke that have at least minPoints points: data lines,
// not their legend samples.
func pathTopY(svg, stroke string, minPoints int) float64 {
	top := math.Inf(-1)
	num := regexp.MustCompile(`[ML]([-0-9.]+),([-0-9.]+)`)
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if !strings.Contains(el, "stroke:"+stroke+";") {
			continue
		}
		pts := num.FindAllStringSubmatch(el, -1)
		if len(pts) < minPoints {
			continue
		}
		for _, m := range pts {
			y, _ := strconv.ParseFloat(m[2], 64)
			top = max(top, y)
		}
	}
	return top
}

// Legends sit above the data they name, at the default size and the
// smallest: the responses line passes under "errors: none", the latency
// lines under p50/p99/max; a panel too short for its y label gets a
// shorter one.
func TestTimelineLegendsClearTheData(t *testing.T) {
	open := synthRun(19, "async", 4, 2000, 800)
	open.Model, open.RatePerSec = "open", 2000
	for _, tc := range []struct {
		name string
		res  *stats.Result
	}{{"open at 2,000 req/s", open}, {"hold", holdRun()}} {
		for _, size := range []Size{{}, {W: 6 * vg.Inch, H: 3.5 * vg.Inch}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			svg := drawSVG(t, size, func(p string, s Size) error { return Timeline(tc.res, p, s) })
			texts := svgTextsAt(svg)
			bottom := func(s string) float64 {
				for _, tx := range texts {
					if tx.s == s {
						return tx.y - 0.3*tx.size // the baseline less the descent
					}
				}
				t.Fatalf("%s at %v: no text %q", tc.name, size, s)
				return 0
			}
			if b, top := bottom("errors: none"), pathTopY(svg, "#0072B2", 4); b <= top {
				t.Errorf("%s at %v: \"errors: none\" bottom at y %.1f, responses line up to %.1f", tc.name, size, b, top)
			}
			for _, stroke := range []string{"#009E73", "#E69F00", "#E2B3CD"} {
				if b, top := bottom("max"), pathTopY(svg, stroke, 4); b <= top {
					t.Errorf("%s at %v: latency legend bottom at y %.1f, line %s up to %.1f", tc.name, size, b, stroke, top)
				}
			}
			for _, tx := range texts {
				if tx.s == "Open connections" && size.H == MinHeightInches*vg.Inch {
					t.Errorf("%s at %v: the full \"Open connections\" label on a short panel", tc.name, size)
				}
			}
		}
	}
}

// heldOnly is a hold run without --every: 100 connections held, no
// request sent, and refused connects in the seconds listed.
func heldOnly(refusedSecs ...int) *stats.Result {
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= 3; s++ {
		for _, e := range refusedSecs {
			if e == s {
				rec.RecordError(stats.ErrConnectRefused)
			}
		}
		rec.CloseInterval(int64(s)*1e9, 100)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections, res.PeakOpenConns = "async", "hold", "http://127.0.0.1:8080/", 100, 100
	return res
}

// A hold run that sent no request has no responses/s or latency panel,
// which would chart as zeros what was never measured: its connections,
// with a note that it sent none, and its errors/s when it had errors.
func TestTimelineOfHoldWithoutRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		res    *stats.Result
		panels int
		want   []string
	}{
		{"no errors", heldOnly(), 1, []string{"Connections over time", "errors: none"}},
		{"refused connects", heldOnly(2), 2, []string{"Connections over time", "Errors/s", "errors/s (1 in all: connect refused 1)"}},
	} {
		texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(tc.res, p, s) }))
		for _, want := range append(tc.want, "Open connections", "no requests sent (a hold run without --every sends none)") {
			if _, ok := texts[want]; !ok {
				t.Errorf("%s: timeline lacks %q", tc.name, want)
			}
		}
		for _, bad := range []string{"Responses/s", "responses/s", "Latency", "0.25", "no responses: no latency to show"} {
			if _, ok := texts[bad]; ok {
				t.Errorf("%s: timeline has %q", tc.name, bad)
			}
		}
		tl, err := timelinePlots(lookFor(Size{}), tc.res)
		if err != nil || len(tl.rows) != tc.panels {
			t.Errorf("%s: %d panels (%v), want %d", tc.name, len(tl.rows), err, tc.panels)
		}
	}
}
