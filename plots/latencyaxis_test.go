package plots

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/nowait/nowait/stats"
)

// stallRun is the run QA charted: an open model at 1,000 req/s for 7 s
// against a target that stalls 1 s every 5 s. Answers take about 0.2 ms,
// but those due in the stall (the sixth second) wait for its end, up to
// 1 s from their intended send.
func stallRun() *stats.Result {
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= 7; s++ {
		for i := range 1000 {
			us := int64(180 + i%50)
			if s == 6 {
				us = int64(1000-i) * 1000 // due i ms into the stall, answered at its end
			}
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, us*1000, us*500)
		}
		rec.CloseInterval(int64(s)*1e9, 50)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target = "async", "open", "http://127.0.0.1:8080/"
	res.Connections, res.RatePerSec = 50, 1000
	res.Start, res.Elapsed = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC), 7*time.Second
	return res
}

// drawnLatencyAxis lays res's timeline out at size as Timeline does and
// returns its latency panel as drawn, with the lowest latency it plots
// (ms).
func drawnLatencyAxis(t *testing.T, res *stats.Result, size Size) (*plot.Plot, float64) {
	t.Helper()
	lk := lookFor(size)
	tl, err := timelinePlots(lk, res)
	if err != nil {
		t.Fatal(err)
	}
	if size.W <= 0 {
		size = defaultTimelineSize(len(tl.rows))
	}
	dc := draw.New(vgimg.NewWith(vgimg.UseWH(size.W, size.H), vgimg.UseDPI(DPI)))
	drawGrid(drawHeader(dc, lk, timelineHeader(res)), lk, tl.rows, tl.keys, fitPanel(lk))
	p := tl.rows[len(tl.rows)-1][0]
	lo := math.Inf(1)
	for _, iv := range res.Intervals {
		if recorded(iv.Latency) {
			lo = min(lo, msOf(stats.Quantile(iv.Latency, 50)))
		}
	}
	return p, lo
}

// labelledTicks returns the labelled ticks of p's y axis over its range.
func labelledTicks(p *plot.Plot) []plot.Tick {
	var out []plot.Tick
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if tk.Label != "" {
			out = append(out, tk)
		}
	}
	return out
}

// A timeline's latency axis ends just above its highest line and has a
// label at or below its lowest (p50, here): QA's run, 0.2 ms to 1 s, got
// an axis to 1k s with its first label, 1 ms, above the p50. Also for a
// closed run and a hold run with requests, at every size.
func TestTimelineLatencyAxisFitsTheData(t *testing.T) {
	closed := synthRun(40, "async", 3, 2000, 150)
	hold := holdRun()
	for _, tc := range []struct {
		name string
		res  *stats.Result
	}{{"QA's open run with a 1 s stall", stallRun()}, {"closed", closed}, {"hold with requests", hold}} {
		for _, size := range []Size{{}, {W: 6 * vg.Inch, H: 3.5 * vg.Inch}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			t.Run(fmt.Sprintf("%s at %v", tc.name, size), func(t *testing.T) {
				p, p50 := drawnLatencyAxis(t, tc.res, size)
				top := 0.0
				for _, iv := range tc.res.Intervals {
					top = max(top, msOf(iv.Latency.Max()))
				}
				if p.Y.Max < top || p.Y.Max > 2*top {
					t.Errorf("latency axis ends at %v ms for a highest line at %v ms, want just above it", p.Y.Max, top)
				}
				labels := labelledTicks(p)
				if len(labels) < 2 {
					t.Fatalf("labels %v, want two or more", labels)
				}
				if labels[0].Value > p50 || labels[0].Value < p.Y.Min {
					t.Errorf("lowest label %q at %v ms, on an axis from %v ms, is not at or below the p50 line at %v ms",
						labels[0].Label, labels[0].Value, p.Y.Min, p50)
				}
				if tc.name == "QA's open run with a 1 s stall" && p.Y.Max >= 10_000 {
					t.Errorf("latency axis runs to %v ms for a 1 s maximum", p.Y.Max)
				}
			})
		}
	}
}

// lowerMin lowers an axis to a label at or below the lowest line, by as
// little as the labels the height allows, and leaves alone one that has
// such a label.
func TestLowerMinPutsALabelUnderTheLowestLine(t *testing.T) {
	for _, h := range []float64{40, 60, 96, 140, 250, 400} {
		for _, r := range [][2]float64{{0.157, 710}, {0.02, 50}, {2.2, 60}, {0.9, 1.1}, {0.15, 1250}, {3, 200}, {0.011, 9000}} {
			lt := newLatencyTicker(11, r[0])
			lt.heightPt = vg.Length(h)
			lo, hi := logRange(r[0], r[1])
			got := lt.lowerMin(lo, hi)
			if got > lo {
				t.Errorf("%v pt over %v ms: the bottom rose from %v to %v", h, r, lo, got)
			}
			labels, _, _ := lt.labels(got, hi)
			if len(labels) == 0 || labels[0] > r[0]*(1+1e-9) || labels[0] < got {
				t.Errorf("%v pt over %v ms: axis from %v, labels %v: none at or below %v", h, r, got, labels, r[0])
			}
			if got < r[0]/20 {
				t.Errorf("%v pt over %v ms: axis lowered to %v, more than a decade under the lowest line", h, r, got)
			}
			if again := lt.lowerMin(got, hi); again != got {
				t.Errorf("%v pt over %v ms: lowered again from %v to %v", h, r, got, again)
			}
		}
	}
}

// The spectrum's latency axis, too, has a label at or below its lowest
// line.
func TestSpectrumLatencyAxisLabelsTheLowestLine(t *testing.T) {
	for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
		runs := []Series{SeriesOf("closed", synthRun(41, "async", 3, 2000, 150)), SeriesOf("open", stallRun())}
		lk := lookFor(size)
		sp, err := spectrumPlot(lk, runs)
		if err != nil {
			t.Fatal(err)
		}
		lay, full := spectrumLayout(lk, sp, size)
		dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
		drawWithLegend(drawHeader(dc, lk, spectrumHeader(runs)), lk, sp.plot, lay, sp.legend, sp.yLo, sp.yHi)
		lowest := sp.yLo * 1.25 // logRange's padding
		labels := labelledTicks(sp.plot)
		if len(labels) == 0 || labels[0].Value > lowest*(1+1e-9) {
			t.Errorf("size %v: labels %v, none at or below the lowest line at %v ms", size, labels, lowest)
		}
	}
}

// The latency panel of a run timed from the intended send says so; a
// closed run's does not.
func TestTimelineSaysWhichLatency(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *stats.Result
		want bool
	}{{"open", stallRun(), true}, {"hold with requests", holdRun(), true}, {"closed", synthRun(42, "async", 3, 500, 800), false}} {
		for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			svg := drawSVG(t, size, func(p string, s Size) error { return Timeline(tc.res, p, s) })
			text := svgPlainText(svg)
			said := strings.Contains(text, "Latency from the intended send time") || strings.Contains(text, "From intended send")
			if said != tc.want {
				t.Errorf("%s at %v: says latency from the intended send %v, want %v: %s", tc.name, size, said, tc.want, text)
			}
			for _, name := range []string{"p50", "p99", "max"} {
				if _, ok := svgTexts(svg)[name]; !ok {
					t.Errorf("%s at %v: no key for %s", tc.name, size, name)
				}
			}
		}
	}
}

// A spectrum's latency axis ends just above its highest line (the legend,
// above the plot, needs no headroom: QA's 1 s maximum ran to 100 s), and
// no blank band lies between the header (and legend) and the data area
// (gonum kept 25 to 45 pt for the y label placed near a log axis's top).
func TestSpectrumLatencyAxisFitsTheData(t *testing.T) {
	for _, n := range []int{1, 3, 12} {
		for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			t.Run(fmt.Sprintf("%d runs at %v", n, size), func(t *testing.T) {
				runs := append([]Series{SeriesOf("stall", stallRun())}, mixedRuns(n-1)...)
				lk := lookFor(size)
				sp, err := spectrumPlot(lk, runs)
				if err != nil {
					t.Fatal(err)
				}
				lay, full := spectrumLayout(lk, sp, size)
				dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
				below := drawHeader(dc, lk, spectrumHeader(runs))
				data, legH := drawWithLegend(below, lk, sp.plot, lay, sp.legend, sp.yLo, sp.yHi)
				top := sp.yHi / 1.25 // logRange's padding
				if p := sp.plot; p.Y.Max < top || p.Y.Max > 2*top {
					t.Errorf("latency axis ends at %v ms for a highest line at %v ms, want just above it", p.Y.Max, top)
				}
				if legH <= 0 {
					t.Errorf("legend %v pt high above the plot, want it above", legH)
				}
				blank := below.Max.Y - legH - data.Max.Y
				t.Logf("axis %.3g to %.4g ms for lines to %.4g ms; legend %.1f pt, then %.1f pt to the data area", sp.plot.Y.Min, sp.plot.Y.Max, top, legH.Points(), blank.Points())
				if blank > lk.pt(20) {
					t.Errorf("%.1f pt blank between the legend and the data area, want at most %.1f", blank.Points(), lk.pt(20).Points())
				}
			})
		}
	}
}
