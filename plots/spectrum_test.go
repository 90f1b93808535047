package plots

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/nowait/nowait/stats"
)

// svgText is one text element of an SVG chart.
type svgText struct {
	s          string
	x, y, size float64
}

// svgTextsAt returns every text element of svg with its position and font size.
func svgTextsAt(svg string) []svgText {
	re := regexp.MustCompile(`<text x="([-0-9.]+)" y="([-0-9.]+)"[^>]*\n?[^>]*font-size:([0-9.]+)px[^"]*">([^<]*)</text>`)
	var out []svgText
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		size, _ := strconv.ParseFloat(m[3], 64)
		out = append(out, svgText{s: m[4], x: x, y: -y, size: size})
	}
	return out
}

// mixedRuns returns n runs, every third an open-model run (two lines).
func mixedRuns(n int) []Series {
	var runs []Series
	for i := range n {
		res := synthRun(uint64(30+i), "async", 3, 500, int64(300+200*i))
		if i%3 == 1 {
			res.Model, res.RatePerSec = "open", 500
		}
		runs = append(runs, SeriesOf(fmt.Sprintf("run-%02d", i), res))
	}
	return runs
}

// However many runs a spectrum has, its legend leaves the latency axis
// sane (raised by at most its own span, never inverted) and every legend
// text fits inside the chart, also at the smallest size.
func TestSpectrumLegendFits(t *testing.T) {
	for _, n := range []int{1, 6, 14} {
		for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			t.Run(fmt.Sprintf("%d runs at %v", n, size), func(t *testing.T) {
				runs := mixedRuns(n)
				lk := lookFor(size)
				sp, err := spectrumPlot(lk, runs)
				if err != nil {
					t.Fatal(err)
				}
				lay, full := spectrumLayout(lk, sp, size)
				dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
				drawWithLegend(drawHeader(dc, lk, spectrumHeader(runs)), lk, sp.plot, lay, sp.legend, sp.yLo, sp.yHi)
				lo, hi := sp.plot.Y.Min, sp.plot.Y.Max
				if !(hi >= sp.yHi) || math.Log(hi/lo) > 2*math.Log(sp.yHi/sp.yLo)+1e-9 {
					t.Errorf("latency axis %v..%v ms for data up to %v ms: raised by more than its span", lo, hi, sp.yHi)
				}
				svg := drawSVG(t, size, func(p string, s Size) error { return Spectrum(runs, p, s) })
				width := float64(full.W.Points())
				legends := 0
				for _, tx := range svgTextsAt(svg) {
					if !strings.Contains(tx.s, ": p50 ") {
						continue
					}
					legends++
					sty := textStyle(legendPt, false, nil, look{scale: 1})
					sty.Font.Size = vg.Length(tx.size)
					right := tx.x + float64(sty.Width(tx.s).Points())
					if tx.x < 0 || right > width+0.5 {
						t.Errorf("legend %q spans x %.1f..%.1f of a %.0f pt chart", tx.s, tx.x, right, width)
					}
					if strings.Contains(tx.s, "…") {
						t.Errorf("legend %q is cut short", tx.s)
					}
				}
				if want := n + (n+1)/3; legends != want {
					t.Errorf("%d legend entries, want %d", legends, want)
				}
			})
		}
	}
}

// Dashes mean service time and nothing else: eight closed runs draw no
// dashed line, and the eighth, which shares the first's colour, carries
// markers (in the plot and its legend sample) instead.
func TestSpectrumDashesOnlyServiceTime(t *testing.T) {
	var runs []Series
	for i := range 8 {
		runs = append(runs, SeriesOf(fmt.Sprintf("r%d", i), synthRun(uint64(50+i), "async", 3, 500, int64(300+100*i))))
	}
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum(runs, p, s) })
	if n := strings.Count(svg, "stroke-dasharray"); n != 0 {
		t.Errorf("%d dashed paths in a spectrum of closed runs, want 0", n)
	}
	marks := 0
	arc := regexp.MustCompile(`[0-9]A[0-9]`) // a circle glyph
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if arc.MatchString(el) && strings.Contains(el, "fill:#0072B2") {
			marks++
		}
	}
	if marks < 3 {
		t.Errorf("%d circle markers in the first colour, want the eighth run's (at least 2 and its legend's)", marks)
	}
	if !strings.Contains(strings.Join(strings.Fields(svgPlainText(svg)), " "), "runs after the 7th carry markers") {
		t.Error("the subtitle does not say which runs carry markers")
	}
}

// svgPlainText returns svg's text contents, joined.
func svgPlainText(svg string) string {
	var b strings.Builder
	for _, tx := range svgTextsAt(svg) {
		b.WriteString(tx.s + " ")
	}
	return b.String()
}

// A hold run that sent requests is drawn as an open-model run: its latency
// from the intended send and its service time, dashed, with the subtitle
// that says which is which.
func TestSpectrumOfHoldRunWithRequests(t *testing.T) {
	res := holdRun()
	res.Service = stats.NewHistogram()
	res.Service.Merge(res.Latency)
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{SeriesOf("held", res)}, p, s) })
	text := svgPlainText(svg)
	for _, want := range []string{"held from intended send: p50", "held service time: p50", "hold with requests: solid lines are latency from the intended send time"} {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
			t.Errorf("spectrum lacks %q: %s", want, text)
		}
	}
	if n := strings.Count(svg, "stroke-dasharray"); n != 2 { // the line and its legend sample
		t.Errorf("%d dashed paths, want 2", n)
	}
}

// The subtitle of a spectrum that mixes a closed run with open ones says
// what each kind of line is: the closed run's solid line is its response
// time, not a latency from the intended send.
func TestSpectrumSubtitleOfMixedModels(t *testing.T) {
	open := synthRun(60, "async", 3, 500, 300)
	open.Model, open.RatePerSec = "open", 500
	closed := synthRun(61, "async", 3, 500, 300)
	for _, tc := range []struct {
		name       string
		runs       []Series
		closedNote bool
	}{
		{"open only", []Series{SeriesOf("o1", open), SeriesOf("o2", open)}, false},
		{"closed among open", []Series{SeriesOf("r1", closed), SeriesOf("r2", open), SeriesOf("r3", open)}, true},
	} {
		sub := spectrumHeader(tc.runs).subtitle
		if !strings.Contains(sub, ". Open model: solid lines are latency from the intended send time") {
			t.Errorf("%s: subtitle %q", tc.name, sub)
		}
		if got := strings.Contains(sub, "closed model: one solid line, the response time from the actual write"); got != tc.closedNote {
			t.Errorf("%s: subtitle %q says what a closed run's line is: %v, want %v", tc.name, sub, got, tc.closedNote)
		}
	}
	if sub := spectrumHeader([]Series{SeriesOf("c", closed)}).subtitle; sub != runDescription(closed) {
		t.Errorf("closed only: subtitle %q, want what was run alone", sub)
	}
}

// Many runs keep the spectrum's plot readable: QA's 11 runs put the
// legend in one column over nearly half the chart. The legend goes into
// columns, within a quarter of the chart's height (at the default size and
// at the same size asked for), and at the default size the chart grows
// taller with it, so that the plot keeps the height it has under four runs
// (less what a longer header takes: "11 runs share 7 colours").
func TestSpectrumLegendOfManyRunsLeavesThePlot(t *testing.T) {
	// dataH returns the heights of the plot plus the header's lines
	// beyond the title, of the legend, and of the chart.
	dataH := func(runs []Series, size Size) (plot, legend, chart vg.Length) {
		lk := lookFor(size)
		sp, err := spectrumPlot(lk, runs)
		if err != nil {
			t.Fatal(err)
		}
		lay, full := spectrumLayout(lk, sp, size)
		dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
		below := drawHeader(dc, lk, spectrumHeader(runs))
		titleOnly := drawHeader(dc, lk, header{title: spectrumHeader(runs).title})
		data, legH := drawWithLegend(below, lk, sp.plot, lay, sp.legend, sp.yLo, sp.yHi)
		return data.Max.Y - data.Min.Y + titleOnly.Max.Y - below.Max.Y, legH, full.H
	}
	closed := func(n int) []Series {
		var runs []Series
		for i := range n {
			runs = append(runs, SeriesOf(fmt.Sprintf("run%d", i+1), synthRun(uint64(70+i), "async", 3, 500, int64(150+100*i))))
		}
		return runs
	}
	four, _, _ := dataH(closed(4), Size{})
	for _, n := range []int{11, 21} {
		plot, legend, chart := dataH(closed(n), Size{})
		t.Logf("%d runs: plot %.0f pt high (%.0f under 4 runs), legend %.0f of %.0f pt", n, plot.Points(), four.Points(), legend.Points(), chart.Points())
		if plot < four-1 {
			t.Errorf("%d runs: plot %.0f pt high, %.0f under four runs", n, plot.Points(), four.Points())
		}
		if legend > legendTarget*chart+1 {
			t.Errorf("%d runs: legend %.0f pt of a %.0f pt chart", n, legend.Points(), chart.Points())
		}
		asked := Size{W: DefaultWidth, H: DefaultHeight}
		if _, legend, chart := dataH(closed(n), asked); chart != DefaultHeight || legend > legendTarget*chart+1 {
			t.Errorf("%d runs at %v asked: chart %.0f pt high, legend %.0f pt", n, asked, chart.Points(), legend.Points())
		}
	}
	if _, _, chart := dataH(closed(3), Size{}); chart != DefaultHeight {
		t.Errorf("3 runs: a chart %.0f pt high, want the default %.0f", chart.Points(), DefaultHeight.Points())
	}
}

// oneResponse returns a closed run that had a single response, of us
// microseconds, as `run -n 1` makes.
func oneResponse(us int64) *stats.Result {
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	rec.RecordSent(1, 100)
	rec.RecordResponse(200, us*1000, us*1000)
	rec.CloseInterval(350e3, 1)
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections = "async", "closed", "http://127.0.0.1:8080/", 1
	res.Elapsed = 350 * time.Microsecond
	return res
}

// circlesIn counts the filled circles of colour fill in svg (a glyph's
// path is drawn with arcs).
func circlesIn(svg, fill string) int {
	n := 0
	arc := regexp.MustCompile(`[0-9]A[0-9]`)
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if arc.MatchString(el) && strings.Contains(el, "fill:"+fill) {
			n++
		}
	}
	return n
}

// A run with one response is one point, which a line of one point does
// not draw: QA's r-n1 and r-hang spectra were empty axes under a legend
// that named them. The point is marked, in the plot and in the legend,
// beside a run of many responses too, and the axis has it inside.
func TestSpectrumOfOneResponseDrawsAPoint(t *testing.T) {
	one := SeriesOf("n1", oneResponse(146))
	for _, runs := range [][]Series{{one}, {one, SeriesOf("many", synthRun(80, "async", 3, 500, 300))}} {
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum(runs, p, s) })
		if n := circlesIn(svg, "#0072B2"); n != 2 {
			t.Errorf("%d runs: %d dots in the first colour, want 2 (the point and its legend sample)", len(runs), n)
		}
	}
	sp, err := spectrumPlot(lookFor(Size{}), []Series{one})
	if err != nil {
		t.Fatal(err)
	}
	if v := msOf(146); !(sp.yLo < v/2 && sp.yHi > v*2) {
		t.Errorf("latency axis %v..%v ms for the one value %v ms: want it well inside", sp.yLo, sp.yHi, v)
	}
}

// A spectrum's legend writes latencies in the unit its axis uses, ms
// below a second and s from one: QA's r-sat read "p50 1354, p99 2650, max
// 2679 ms" beside an axis labelled "1 s".
func TestSpectrumLegendUnits(t *testing.T) {
	slow := SeriesOf("slow", synthRun(81, "async", 3, 50, 1_300_000))
	svg := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{slow}, p, s) }))
	if !regexp.MustCompile(`slow: p50 [0-9.]+, p99 [0-9.]+, max [0-9.]+ s \(`).MatchString(svg) {
		t.Errorf("legend of a run of seconds not in s: %s", svg)
	}
	for _, tc := range []struct {
		ms   []float64
		want string
	}{
		{[]float64{0.251, 4.17, 13.2}, "p50 0.251, p99 4.17, max 13.2 ms"},
		{[]float64{1354, 2650, 2679}, "p50 1.35, p99 2.65, max 2.68 s"},
		{[]float64{0.251, 4.17, 2679}, "p50 0.251 ms, p99 4.17 ms, max 2.68 s"},
		{[]float64{999.7, 999.9, 1000}, "p50 1.00, p99 1.00, max 1.00 s"},
	} {
		if got := latencies([]string{"p50", "p99", "max"}, tc.ms); got != tc.want {
			t.Errorf("latencies %v: %q, want %q", tc.ms, got, tc.want)
		}
	}
}

// A legend words all its lines alike, however it is shortened to fit:
// QA's overlay of 23 runs read "r-open service:" beside "r-stall service
// time:", with the counts of some runs and not others. At the default
// size no text is cut short, the subtitle's notes included.
func TestSpectrumLegendWordsLinesAlike(t *testing.T) {
	for _, n := range []int{5, 12, 23} {
		var runs []Series
		for i := range n {
			res := synthRun(uint64(90+i), "async", 3, 500, int64(300+150*i))
			if i%3 == 1 {
				res.Model, res.RatePerSec = "open", 500
			}
			if i == 2 { // failed, for the subtitle's note
				res.Status[200], res.Status[500] = res.Status[200]-10, 10
			}
			runs = append(runs, SeriesOf("r"+strings.Repeat("-long", i%5)+strconv.Itoa(i), res))
		}
		for _, size := range []Size{{}, {W: 6 * vg.Inch, H: 4 * vg.Inch}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			var service, serviceTime, latency, counted, fromSend int
			for _, tx := range svgTextsAt(drawSVG(t, size, func(p string, s Size) error { return Spectrum(runs, p, s) })) {
				switch {
				case !strings.Contains(tx.s, ": p50 "):
				case strings.Contains(tx.s, " service"):
					service++
					if strings.Contains(tx.s, " service time:") {
						serviceTime++
					}
				default:
					latency++
					if strings.Contains(tx.s, " responses") {
						counted++
					}
					if name, _, _ := strings.Cut(tx.s, ":"); strings.HasSuffix(name, " from intended send") {
						fromSend++
					}
				}
				if size.W == 0 && strings.Contains(tx.s, "…") {
					t.Errorf("%d runs: %q is cut short", n, tx.s)
				}
			}
			// Each open run has one service line.
			if (serviceTime != 0 && serviceTime != service) || (counted != 0 && counted != latency) || (fromSend != 0 && fromSend != service) {
				t.Errorf("%d runs at %v: %d of %d service lines say \"service time\", %d of %d lines their count, %d of %d open lines \"from intended send\"",
					n, size, serviceTime, service, counted, latency, fromSend, service)
			}
		}
	}
}
