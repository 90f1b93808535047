package plots

import (
	"fmt"
	"math"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/nowait/nowait/stats"
)

// Series is one line of a spectrum: a name for the legend and a latency
// histogram in microseconds, as stats records it.
type Series struct {
	Name    string
	Latency *hdrhistogram.Histogram
}

// SeriesOf returns the corrected latency of r as a series named name.
func SeriesOf(name string, r *stats.Result) Series {
	return Series{Name: name, Latency: r.Latency}
}

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
// latency in ms on a log scale, one line per run with a legend.
func Spectrum(runs []Series, path string, size Size) error {
	p, err := spectrumPlot(runs)
	if err != nil {
		return err
	}
	return render(path, size, p.Draw)
}

func spectrumPlot(runs []Series) (*plot.Plot, error) {
	p := newPlot("Latency by percentile", "Percentile (log scale of 1 / (1 - p))", "Latency (log scale)")
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(8)
	xMax, yLo, yHi := 0.0, math.Inf(1), 0.0
	for i, s := range runs {
		if s.Latency == nil || s.Latency.TotalCount() == 0 {
			continue
		}
		pts := spectrumPoints(s.Latency)
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color = seriesColor(i)
		l.Width = vg.Points(2)
		if i >= 4 { // beyond four lines colour alone is not enough
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(spectrumLegend(s), l)
		xMax = max(xMax, pts[len(pts)-1].X)
		for _, pt := range pts {
			yLo, yHi = min(yLo, pt.Y), max(yHi, pt.Y)
		}
	}
	if yHi == 0 {
		return nil, fmt.Errorf("%w: no latency recorded in %d runs", ErrNoData, len(runs))
	}
	p.X.Min, p.X.Max = 0, max(xMax, 1)
	p.X.Tick.Marker = plot.TickerFunc(ninesTicks)
	p.Y.Scale = plot.LogScale{}
	p.Y.Min, p.Y.Max = logRange(yLo, yHi)
	p.Y.Max = legendHeadroom(p.Y.Min, p.Y.Max, 0.04+0.055*float64(len(runs)))
	p.Y.Tick.Marker = plot.TickerFunc(latencyTicks)
	return p, nil
}

// spectrumLegend names a line with its count and headline percentiles.
func spectrumLegend(s Series) string {
	h := s.Latency
	return fmt.Sprintf("%s: p50 %s, p99 %s, max %s ms (%s responses)", s.Name,
		fmtMs(msOf(stats.Quantile(h, 50))), fmtMs(msOf(stats.Quantile(h, 99))), fmtMs(msOf(h.Max())), groupDigits(h.TotalCount()))
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
