package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// Series is one run of a spectrum: a name for the legend, its corrected
// latency histogram in microseconds, as stats records it, and for an
// open-model run its service time and whether the generator kept up.
type Series struct {
	Name    string
	Latency *hdrhistogram.Histogram
	// Service is the service time from the actual write (open model): drawn
	// dashed beside Latency, which an open run measures from the intended
	// send time. Nil or empty draws no second line.
	Service *hdrhistogram.Histogram
	// RatePerSec is the open model's target rate, 0 for other models.
	RatePerSec float64
	// Saturation says whether the generator fell behind its schedule.
	Saturation stats.Saturation
}

// SeriesOf returns the run r as a series named name: its corrected
// latency, and for an open-model run its service time, rate and saturation.
func SeriesOf(name string, r *stats.Result) Series {
	s := Series{Name: name, Latency: r.Latency, Saturation: r.Saturation}
	if r.Model == "open" {
		s.Service, s.RatePerSec = r.Service, r.RatePerSec
	}
	return s
}

// open reports whether s is an open-model run with a service time to draw.
func (s Series) open() bool { return s.Service != nil && s.Service.TotalCount() > 0 }

// nines maps a percentile p (0 to 100) to the spectrum's x axis:
//
//	x = -log10(1 - p/100)    0% -> 0, 90% -> 1, 99% -> 2, 99.9% -> 3, ...
func nines(p float64) float64 { return -math.Log10(1 - p/100) }

// percentileAt is the inverse of nines.
func percentileAt(x float64) float64 { return 100 * (1 - math.Pow(10, -x)) }

// spectrumStep is the x resolution of a spectrum line, in nines.
const spectrumStep = 0.01

// spectrumPoints samples h along the nines axis up to its last recorded
// value: x runs to log10(count), where 1 - p is one value in count.
func spectrumPoints(h *hdrhistogram.Histogram) plotter.XYs {
	n := h.TotalCount()
	if n == 0 {
		return nil
	}
	xMax := math.Log10(float64(n))
	pts := make(plotter.XYs, 0, int(xMax/spectrumStep)+2)
	for x := 0.0; x < xMax; x += spectrumStep {
		us := stats.Quantile(h, percentileAt(x))
		pts = append(pts, plotter.XY{X: x, Y: msOf(us)})
	}
	return append(pts, plotter.XY{X: xMax, Y: msOf(h.Max())})
}

// msOf converts microseconds to milliseconds, never below 1 µs so a log
// axis can draw it.
func msOf(us int64) float64 { return float64(max(us, stats.LowestUs)) / 1000 }

// ninesTicks labels the spectrum's x axis at 0%, 50%, 90%, 99%, 99.9%, ...
func ninesTicks(min, max float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0%"}, {Value: nines(50), Label: "50%"}}
	for i := 1; float64(i) <= max+1e-9; i++ {
		label := strconv.FormatFloat(percentileAt(float64(i)), 'f', i-2, 64) + "%"
		if i == 1 {
			label = "90%"
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	var in []plot.Tick
	for _, t := range ticks {
		if t.Value >= min-1e-9 && t.Value <= max+1e-9 {
			in = append(in, t)
		}
	}
	return in
}

// Spectrum draws the latency percentile spectrum of one or more runs to
// path (.png or .svg): x in nines from 0% to the last recorded value, y the
// latency in ms on a log scale, one line per run with a legend. An
// open-model run also gets its service time as a dashed line of the same
// colour, and a saturated generator a warning above the chart. Runs with
// no latency are left out; with none left it returns ErrNoData.
func Spectrum(runs []Series, path string, size Size) error {
	lk := lookFor(size)
	p, err := spectrumPlot(lk, runs)
	if err != nil {
		return err
	}
	h := spectrumHeader(runs)
	return render(path, size, func(dc draw.Canvas) {
		drawGrid(drawHeader(dc, lk, h), lk, [][]*plot.Plot{{p}})
	})
}

// spectrumHeader says how to read the lines of an open-model run and
// warns when a generator was saturated.
func spectrumHeader(runs []Series) header {
	h := header{title: "Latency by percentile"}
	var open, saturated []string
	for _, s := range runs {
		if s.open() {
			open = append(open, s.Name)
		}
		if s.Saturation.Saturated {
			saturated = append(saturated, s.Name)
		}
	}
	if len(open) > 0 {
		h.subtitle = "open model: solid lines are latency from the intended send time (coordinated omission corrected), dashed lines the service time from the actual write"
	}
	if len(saturated) > 0 {
		h.warning = saturationWarning(runs, saturated)
	}
	return h
}

// saturationWarning names the saturated runs and, for one, its reason.
func saturationWarning(runs []Series, names []string) string {
	w := "generator saturated (" + strings.Join(names, ", ") + "): latency includes the generator's own delay"
	if len(runs) == 1 && runs[0].Saturation.Reason != "" {
		w = "generator saturated: " + runs[0].Saturation.Reason
	}
	return w
}

// spectrumPlot draws the lines of every run that has latency.
func spectrumPlot(lk look, runs []Series) (*plot.Plot, error) {
	p := newPlot(lk, "", "Percentile (log scale of 1 / (1 - p))", "Latency (log scale)")
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = lk.pt(8), -lk.pt(8)
	xMax, yLo, yHi := 0.0, math.Inf(1), 0.0
	entries := 0
	for i, s := range runs {
		if s.Latency == nil || s.Latency.TotalCount() == 0 {
			continue
		}
		hists := []*hdrhistogram.Histogram{s.Latency}
		if s.open() {
			hists = append(hists, s.Service)
		}
		for j, h := range hists {
			pts := spectrumPoints(h)
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			l.Color = seriesColor(i)
			l.Width = lk.pt(2)
			if j == 1 || i >= 4 { // a service time, or beyond four lines where colour alone is not enough
				l.Dashes = []vg.Length{lk.pt(6), lk.pt(3)}
			}
			p.Add(l)
			p.Legend.Add(spectrumLegend(s, j == 1), l)
			entries++
			xMax = max(xMax, pts[len(pts)-1].X)
			for _, pt := range pts {
				yLo, yHi = min(yLo, pt.Y), max(yHi, pt.Y)
			}
		}
	}
	if yHi == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, noLatencyIn(runs))
	}
	p.X.Min, p.X.Max = 0, max(xMax, 1)
	p.X.Tick.Marker = plot.TickerFunc(ninesTicks)
	p.Y.Scale = plot.LogScale{}
	p.Y.Min, p.Y.Max = logRange(yLo, yHi)
	p.Y.Max = legendHeadroom(p.Y.Min, p.Y.Max, 0.04+0.055*float64(entries))
	p.Y.Tick.Marker = plot.TickerFunc(latencyTicks)
	return p, nil
}

// noLatencyIn says which runs had no latency: "run rnone has no responses".
func noLatencyIn(runs []Series) string {
	names := make([]string, len(runs))
	for i, s := range runs {
		names[i] = s.Name
	}
	if len(runs) == 1 {
		return "run " + names[0] + " has no responses, so no latency to plot"
	}
	return "none of the runs " + strings.Join(names, ", ") + " has responses, so no latency to plot"
}

// spectrumLegend names a line with its headline percentiles: the latency
// with its count, or the service time of an open-model run.
func spectrumLegend(s Series, service bool) string {
	h, what := s.Latency, ""
	if s.open() {
		what = " from intended send"
	}
	if service {
		h, what = s.Service, " service time"
	}
	l := fmt.Sprintf("%s%s: p50 %s, p99 %s, max %s ms", s.Name, what,
		fmtMs(msOf(stats.Quantile(h, 50))), fmtMs(msOf(stats.Quantile(h, 99))), fmtMs(msOf(h.Max())))
	if !service {
		l += " (" + groupDigits(h.TotalCount()) + " responses)"
	}
	return l
}

// fmtMs formats milliseconds to about three significant digits: 0.123,
// 1.23, 12.3, 123, 1234.
func fmtMs(ms float64) string {
	switch {
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case ms >= 1:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}
