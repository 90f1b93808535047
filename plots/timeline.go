package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// Timeline draws one run over time to path (.png or .svg), in two stacked
// panels sharing the time axis: throughput (responses/s) with errors/s
// marked above, and the p50, p99 and max latency (ms, log scale) of each
// interval below.
func Timeline(res *stats.Result, path string, size Size) error {
	top, bottom, err := timelinePlots(res)
	if err != nil {
		return err
	}
	title := "Throughput and latency over time"
	if res.Target != "" {
		title += ": " + res.Target
	}
	if res.Mode != "" {
		title += " (" + res.Mode + ")"
	}
	return render(path, size, func(dc draw.Canvas) { drawGrid(dc, title, [][]*plot.Plot{{top}, {bottom}}) })
}

func timelinePlots(res *stats.Result) (top, bottom *plot.Plot, err error) {
	if len(res.Intervals) == 0 {
		return nil, nil, fmt.Errorf("%w: the run has no intervals", ErrNoData)
	}
	var rate, errs plotter.XYs
	lat := make([]plotter.XYs, 3) // p50, p99, max
	var nErrs uint64
	yLo, yHi := math.Inf(1), 0.0
	for i := range res.Intervals {
		iv := &res.Intervals[i]
		t := float64(iv.EndNs) / 1e9
		sec := float64(iv.EndNs-iv.StartNs) / 1e9
		if sec <= 0 {
			continue
		}
		rate = append(rate, plotter.XY{X: t, Y: float64(iv.Responses) / sec})
		if e := iv.ErrorTotal(); e > 0 {
			errs = append(errs, plotter.XY{X: t, Y: float64(e) / sec})
			nErrs += e
		}
		if iv.Latency == nil || iv.Latency.TotalCount() == 0 {
			continue // no responses: a gap, not a zero, on a log axis
		}
		for j, us := range []int64{stats.Quantile(iv.Latency, 50), stats.Quantile(iv.Latency, 99), iv.Latency.Max()} {
			ms := msOf(us)
			lat[j] = append(lat[j], plotter.XY{X: t, Y: ms})
			yLo, yHi = min(yLo, ms), max(yHi, ms)
		}
	}
	if len(rate) == 0 {
		return nil, nil, fmt.Errorf("%w: the run's intervals are empty", ErrNoData)
	}
	top = newPlot("", "", "Responses/s")
	top.Y.Tick.Marker = plot.TickerFunc(linearTicks)
	top.Legend.Top = true
	if err := addThroughput(top, rate, errs, nErrs); err != nil {
		return nil, nil, err
	}
	bottom = newPlot("", "Time since start (s)", "Latency")
	bottom.Legend.Top, bottom.Legend.Left = true, true
	bottom.Legend.XOffs = vg.Points(8)
	names := []string{"p50", "p99", "max"}
	for j, pts := range lat {
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, nil, err
		}
		l.Color = seriesColor([]int{2, 1, 3}[j])
		l.Width = vg.Points(1.75)
		bottom.Add(l)
		bottom.Legend.Add(names[j], l)
	}
	if yHi > 0 {
		bottom.Y.Scale = plot.LogScale{}
		bottom.Y.Min, bottom.Y.Max = logRange(yLo, yHi)
		bottom.Y.Max = legendHeadroom(bottom.Y.Min, bottom.Y.Max, 0.3)
		bottom.Y.Tick.Marker = plot.TickerFunc(latencyTicks)
	}
	// Both panels span the same time axis.
	lo, hi := 0.0, rate[len(rate)-1].X
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = lo, hi
		p.X.Tick.Marker = plot.TickerFunc(timeTicks)
	}
	return top, bottom, nil
}

// addThroughput draws the responses/s line and the errors/s markers.
func addThroughput(p *plot.Plot, rate, errs plotter.XYs, nErrs uint64) error {
	l, err := plotter.NewLine(rate)
	if err != nil {
		return err
	}
	l.Color = seriesColor(0)
	l.Width = vg.Points(2)
	p.Add(l)
	p.Legend.Add("responses/s", l)
	p.Y.Min = 0
	yMax := 0.0
	for _, pt := range rate {
		yMax = max(yMax, pt.Y)
	}
	if len(errs) == 0 {
		p.Legend.Add("errors/s: none")
	} else {
		s, err := plotter.NewScatter(errs)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: errorColor(), Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
		p.Add(s)
		p.Legend.Add(fmt.Sprintf("errors/s (%d in all)", nErrs), s)
		for _, pt := range errs {
			yMax = max(yMax, pt.Y)
		}
	}
	p.Y.Max = yMax * 1.4 // room for the legend above the line
	return nil
}
