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

// connectionsPlot draws the connections open at the end of each
// interval, marked, and the count asked for by a hold run or a
// closed-model ramp. A hold run's samples are joined by a line that
// starts at none open and passes through the moment all were first open
// when that is known; another run's are samples alone, since its
// connections may come and go between them. Connections that churned
// are drawn per second too: the held connections the server closed
// (hold), or the connects of a run that opened many more connections
// than it kept.
func connectionsPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Open connections")
	p.Y.Tick.Marker = newLinearTicker(p.Y.Tick.Label.Font.Size)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = lk.pt(8)
	var samples plotter.XYs
	peak := 0
	for i, s := range spans {
		samples = append(samples, plotter.XY{X: s.hi, Y: float64(ivs[i].OpenConns)})
		peak = max(peak, ivs[i].OpenConns)
	}
	sc, err := plotter.NewScatter(samples)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(4), Radius: lk.pt(3), Shape: draw.CircleGlyph{}}
	thumbs := []plot.Thumbnailer{sc}
	allOpen, allAt := allOpenPoint(res, spans)
	if res.Model == "hold" {
		l, err := plotter.NewLine(holdLine(samples, allOpen, spans[0].lo == 0))
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = seriesColor(4), lk.pt(2)
		p.Add(l)
		thumbs = []plot.Thumbnailer{l, sc}
	}
	churnPts, churnTotal, churnName := churnPoints(res, spans, ivs)
	churn := highest(churnPts)
	askedPts, askedName := askedConnectionsLine(res, spans[len(spans)-1].hi)
	asked := 0.0
	if len(askedPts) >= 2 { // addPlanned draws no line of one point
		asked = highest(askedPts)
	}
	// Why a log axis: 2,000 connects a second on a linear axis flatten
	// 20 open connections onto its zero line. Not for hold, whose line
	// starts at none open.
	logAxis := res.Model != "hold" && churn > churnLogRatio*max(float64(peak), asked, 1)
	openName := fmt.Sprintf("open at the end of each second (peak %s)", stats.GroupDigits(int64(max(peak, res.PeakOpenConns))))
	if logAxis && dropZeros(sc) {
		openName = fmt.Sprintf("open at the end of each second (peak %s; none open: not drawn)", stats.GroupDigits(int64(max(peak, res.PeakOpenConns))))
	}
	p.Legend.Add(openName, thumbs...)
	if err := addChurn(p, lk, churnPts, churnTotal, churnName); err != nil {
		return nil, err
	}
	p.Add(sc)
	if len(allOpen) > 0 {
		mark, err := plotter.NewScatter(allOpen)
		if err != nil {
			return nil, err
		}
		mark.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: lk.pt(5), Shape: draw.RingGlyph{}}
		p.Add(mark)
		p.Legend.Add(fmt.Sprintf("all %s open after %s", stats.GroupDigits(int64(res.Connections)), stats.FormatMs(allAt*1000)), mark)
	}
	if _, err := addPlanned(p, lk, askedPts, askedName); err != nil {
		return nil, err
	}
	yMax := max(float64(peak), asked, churn)
	p.Y.Min, p.Y.Max = 0, math.Max(yMax, 1)*1.08 // fitPanel adds the legend's room
	if logAxis {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = newLogTicker(p.Y.Tick.Label.Font.Size, 1)
		p.Y.Min = 1
	}
	return p, nil
}

// churnLogRatio is how many times the open connections the connects a
// second must reach for the panel's axis to go logarithmic.
const churnLogRatio = 10

// dropZeros removes sc's points at zero, which a log axis cannot place,
// and reports whether there were any.
func dropZeros(sc *plotter.Scatter) bool {
	kept := sc.XYs[:0]
	for _, pt := range sc.XYs {
		if pt.Y > 0 {
			kept = append(kept, pt)
		}
	}
	dropped := len(kept) < len(sc.XYs)
	sc.XYs = kept
	return dropped
}

// holdLine returns the line of a hold run's open connections through
// its samples: from none open at the start (when the chart starts with
// the run), and through the all-open point, when there is one, in its
// place in time. Why the all-open point: without it a line from 0 to the
// first second's count would draw a ramp over the whole second, when all
// opened in a fraction of it.
func holdLine(samples, allOpen plotter.XYs, fromStart bool) plotter.XYs {
	if !fromStart {
		return samples
	}
	pts := plotter.XYs{{X: 0, Y: 0}}
	for _, pt := range samples {
		if len(allOpen) > 0 && pt.X > allOpen[0].X && pts[len(pts)-1].X < allOpen[0].X {
			pts = append(pts, allOpen[0])
		}
		pts = append(pts, pt)
	}
	if len(allOpen) > 0 && pts[len(pts)-1].X < allOpen[0].X {
		pts = append(pts, allOpen[0])
	}
	return pts
}

// churned reports whether a run other than hold opened many more
// connections than it ever had open (more than twice as many): they were
// closed and opened again (Connection: close, resets), which samples of
// the open count cannot show.
func churned(res *stats.Result) bool {
	return res.Model != "hold" && res.Connects > 2*uint64(max(res.Connections, res.PeakOpenConns, 1))
}

// addChurn marks per second, as errors are, the held connections the
// server closed (a hold run), or the connects of a run that churned;
// nothing for another run. Why marks and no line: the count often equals
// the open connections (a server that closes each after a response),
// whose line would hide another. pts, total and name are churnPoints'.
func addChurn(p *plot.Plot, lk look, pts plotter.XYs, total uint64, name string) error {
	if total == 0 {
		return nil
	}
	p.Y.Label.Text = "Connections"
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: churnColor(), Radius: lk.pt(3.5), Shape: draw.BoxGlyph{}}
	p.Add(sc)
	p.Legend.Add(fmt.Sprintf(name, stats.GroupDigits(int64(total))), sc)
	return nil
}

// churnPoints returns what addChurn marks: a point per second with any,
// their total, and the legend's wording; no points for a run that
// neither churned nor had held connections closed.
func churnPoints(res *stats.Result, spans []span, ivs []*stats.Interval) (plotter.XYs, uint64, string) {
	count, name := func(iv *stats.Interval) uint64 { return iv.Connects }, "connects/s (%s in all: connections closed and opened again)"
	switch {
	case res.Model == "hold" && res.ServerClosed > 0:
		count, name = func(iv *stats.Interval) uint64 { return iv.ServerClosed }, "server closes/s (%s in all, each opened again)"
	case !churned(res):
		return nil, 0, ""
	}
	var pts plotter.XYs
	var total uint64
	for i, s := range spans {
		if n := count(ivs[i]); n > 0 {
			pts = append(pts, plotter.XY{X: s.mid(), Y: float64(n) / (s.hi - s.lo)})
			total += n
		}
	}
	return pts, total, name
}

// highest returns the largest y of pts, 0 for none.
func highest(pts plotter.XYs) float64 {
	y := 0.0
	for _, pt := range pts {
		y = max(y, pt.Y)
	}
	return y
}

// churnColor is the colour of connections closed and opened again.
func churnColor() color.Color { return color.Gray{Y: 90} }

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
