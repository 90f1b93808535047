package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// connectionsPlot draws the connections open at the end of each interval,
// marked, and the count asked for by a hold run or a closed-model ramp. A
// hold run's line starts at none open, and passes through the moment all
// were first open when that is known.
func connectionsPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Open connections")
	p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = lk.pt(8)
	var samples plotter.XYs
	peak := 0
	for i, s := range spans {
		samples = append(samples, plotter.XY{X: s.hi, Y: float64(ivs[i].OpenConns)})
		peak = max(peak, ivs[i].OpenConns)
	}
	allOpen, allAt := allOpenPoint(res, spans)
	pts := samples
	if res.Model == "hold" && spans[0].lo == 0 {
		// A hold run starts with no connection open; why the all-open
		// point: without it a line from 0 to the first second's count
		// would draw a ramp over the whole second, when all opened in a
		// fraction of it. It goes in its place in time, among the
		// samples: a line that skipped the samples before it would pass
		// beside them.
		pts = plotter.XYs{{X: 0, Y: 0}}
		for _, pt := range samples {
			if len(allOpen) > 0 && pt.X > allOpen[0].X && pts[len(pts)-1].X < allOpen[0].X {
				pts = append(pts, allOpen[0])
			}
			pts = append(pts, pt)
		}
		if len(allOpen) > 0 && pts[len(pts)-1].X < allOpen[0].X {
			pts = append(pts, allOpen[0])
		}
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	sc, err := plotter.NewScatter(samples)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = seriesColor(4), lk.pt(2)
	sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(4), Radius: lk.pt(3), Shape: draw.CircleGlyph{}}
	p.Add(l, sc)
	p.Legend.Add(fmt.Sprintf("open at the end of each second (peak %s)", stats.GroupDigits(int64(max(peak, res.PeakOpenConns)))), l, sc)
	if len(allOpen) > 0 {
		mark, err := plotter.NewScatter(allOpen)
		if err != nil {
			return nil, err
		}
		mark.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: lk.pt(5), Shape: draw.RingGlyph{}}
		p.Add(mark)
		p.Legend.Add(fmt.Sprintf("all %s open after %s", stats.GroupDigits(int64(res.Connections)), stats.FormatMs(allAt*1000)), mark)
	}
	askedPts, name := askedConnectionsLine(res, spans[len(spans)-1].hi)
	asked, err := addPlanned(p, lk, askedPts, name)
	if err != nil {
		return nil, err
	}
	yMax := max(float64(peak), asked)
	p.Y.Min, p.Y.Max = 0, math.Max(yMax, 1)*1.08 // fitPanel adds the legend's room
	return p, nil
}

// allOpenPoint returns, for a hold run that had all its connections open
// at once within the chart, that moment, the first, as a point at the
// count asked for, and its time in seconds since the chart's start
// (all_established_s less the warm-up); nil when it did not happen, or
// a run saved without it.
func allOpenPoint(res *stats.Result, spans []span) (plotter.XYs, float64) {
	at := (res.EstablishedIn - res.Warmup).Seconds()
	if res.Model != "hold" || res.EstablishedIn <= 0 || res.Connections <= 0 || at <= 0 || at > spans[len(spans)-1].hi {
		return nil, 0
	}
	return plotter.XYs{{X: at, Y: float64(res.Connections)}}, at
}
