package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Why these: gonum reserves room above a plot for its y axis's label as
// if the label were centred on the arithmetic middle of the axis's range,
// which on a log axis lies near its top (500 ms on 1 µs to 1 s), so a
// label as long as the panel is tall pushed the data area down by 25 to
// 45 pt, a blank band under the title. The label is drawn here instead,
// centred on the data area as gonum draws it, its width reserved as
// gonum reserves it.

// withoutYLabel runs f with p's log y axis label taken out and c cut on
// the left by the label's width, then puts the label back. A linear
// axis's label is left to gonum, and f gets c whole.
func withoutYLabel(p *plot.Plot, c draw.Canvas, f func(c draw.Canvas)) {
	if _, log := p.Y.Scale.(plot.LogScale); !log || p.Y.Label.Text == "" {
		f(c)
		return
	}
	text := p.Y.Label.Text
	sty := p.Y.Label.TextStyle
	p.Y.Label.Text = ""
	defer func() { p.Y.Label.Text = text }()
	f(draw.Crop(c, sty.FontExtents().Descent+sty.Height(text)+p.Y.Label.Padding, 0, 0, 0))
}

// dataCanvas returns the data area of p drawn in c.
func dataCanvas(p *plot.Plot, c draw.Canvas) draw.Canvas {
	var d draw.Canvas
	withoutYLabel(p, c, func(c draw.Canvas) { d = p.DataCanvas(c) })
	return d
}

// drawPlot draws p in c, with its log y axis's label centred on the
// height of its data area.
func drawPlot(p *plot.Plot, c draw.Canvas) {
	withoutYLabel(p, c, func(c draw.Canvas) { p.Draw(c) })
	if _, log := p.Y.Scale.(plot.LogScale); !log || p.Y.Label.Text == "" {
		return
	}
	lsty := p.Y.Label.TextStyle
	sty := lsty
	sty.Rotation += math.Pi / 2
	x := c.Min.X + lsty.Height(p.Y.Label.Text) - lsty.FontExtents().Descent
	d := dataCanvas(p, c)
	c.FillText(sty, vg.Point{X: x, Y: d.Center().Y}, p.Y.Label.Text)
}
