package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// connectionsPlot draws the connections open at the end of each interval,
// marked, and the count asked for by a hold run or a closed-model ramp.
func connectionsPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Open connections")
	p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = lk.pt(8)
	var pts plotter.XYs
	if res.Model == "hold" && spans[0].lo == 0 {
		pts = append(pts, plotter.XY{X: 0, Y: 0}) // a hold run starts with no connection open
	}
	peak := 0
	for i, s := range spans {
		pts = append(pts, plotter.XY{X: s.hi, Y: float64(ivs[i].OpenConns)})
		peak = max(peak, ivs[i].OpenConns)
	}
	l, sc, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = seriesColor(4), lk.pt(2)
	sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(4), Radius: lk.pt(3), Shape: draw.CircleGlyph{}}
	p.Add(l, sc)
	p.Legend.Add(fmt.Sprintf("open at the end of each second (peak %s)", stats.GroupDigits(int64(max(peak, res.PeakOpenConns)))), l, sc)
	askedPts, name := askedConnectionsLine(res, spans[len(spans)-1].hi)
	asked, err := addPlanned(p, lk, askedPts, name)
	if err != nil {
		return nil, err
	}
	yMax := max(float64(peak), asked)
	p.Y.Min, p.Y.Max = 0, math.Max(yMax, 1)*1.08 // fitPanel adds the legend's room
	return p, nil
}
