package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one line of a legend: its text in forms from the fullest
// to the shortest, and the thumbnails of what it names.
type legendEntry struct {
	texts  []string
	thumbs []plot.Thumbnailer
}

// Limits of a fitted legend: its font shrinks to at most minLegendScale
// of the chart's before texts are shortened; a spectrum's legend, above
// its plot, takes at most legendShare of the chart's height, in up to
// maxLegendColumns columns.
const (
	minLegendScale   = 0.75
	legendShare      = 0.45
	maxLegendColumns = 3
)

// fitLegend fits entries in lk's style into columns of width, rows
// entries high: the font shrinks (not below minLegendScale) and each text
// takes its fullest form that fits, so that a column is at most width wide
// and, if it can be, maxH high. It returns an empty legend in the chosen
// style, the chosen texts, and the height of a column.
func fitLegend(lk look, entries []legendEntry, width, maxH vg.Length, rows int) (plot.Legend, []string, vg.Length) {
	for scale := 1.0; ; scale -= 0.05 {
		leg := plot.NewLegend()
		leg.TextStyle.Font = lk.font(legendPt, false)
		leg.TextStyle.Font.Size *= vg.Length(scale)
		leg.ThumbnailWidth = lk.pt(24 * scale)
		leg.Padding = lk.pt(2 * scale)
		room := width - leg.ThumbnailWidth - leg.TextStyle.Width(" ")
		fits := true
		texts := make([]string, len(entries))
		for i, e := range entries {
			text := e.texts[len(e.texts)-1]
			for _, t := range e.texts {
				if leg.TextStyle.Width(t) <= room {
					text = t
					break
				}
			}
			if leg.TextStyle.Width(text) > room {
				fits = false
				text = fitText(leg.TextStyle, text, room)
			}
			texts[i] = text
		}
		col := leg
		for _, t := range texts[:min(rows, len(texts))] {
			col.Add(t)
		}
		h := col.Rectangle(draw.Canvas{}).Size().Y
		if (fits && h <= maxH) || scale <= minLegendScale+1e-9 {
			return leg, texts, h
		}
	}
}

// drawWithLegend draws the single plot p in dc with entries as its legend,
// above the plot, in as few columns as keep it to legendShare of the
// chart's height (up to maxLegendColumns), its height taken from the
// canvas: the log y axis runs from yLo to yHi, just around the data, and
// no legend covers a line. It returns the data area, as drawn, and the
// height of the legend.
func drawWithLegend(dc draw.Canvas, lk look, p *plot.Plot, entries []legendEntry, yLo, yHi float64) (draw.Canvas, vg.Length) {
	offs := lk.pt(8)
	p.Y.Min, p.Y.Max = yLo, yHi
	width := dc.Max.X - dc.Min.X - 2*offs
	maxH := legendShare * (dc.Max.Y - dc.Min.Y)
	var (
		leg          plot.Legend
		texts        []string
		h            vg.Length
		cols, perCol int
	)
	for cols = 1; ; cols++ {
		perCol = (len(entries) + cols - 1) / cols
		leg, texts, h = fitLegend(lk, entries, width/vg.Length(cols)-offs, maxH, perCol)
		if h <= maxH || cols == maxLegendColumns {
			break
		}
	}
	top := dc.Max.Y
	colW := width / vg.Length(cols)
	for c := range cols {
		l := leg
		for i := c * perCol; i < min((c+1)*perCol, len(entries)); i++ {
			l.Add(texts[i], entries[i].thumbs...)
		}
		l.Top, l.Left = true, true
		x0 := dc.Min.X + offs + colW*vg.Length(c)
		l.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x0, Y: top - h},
			Max: vg.Point{X: x0 + colW, Y: top},
		}})
	}
	return drawGrid(draw.Crop(dc, 0, 0, 0, -(h+offs/2)), lk, [][]*plot.Plot{{p}}, nil, nil)[0][0], h
}

// legendHeadroom raises the top hi of a log axis over [lo, hi] so that the
// top frac of the panel stays clear for a legend. frac is held below
// one half, so the axis never grows more than its own span again.
func legendHeadroom(lo, hi, frac float64) float64 {
	frac = math.Min(math.Max(frac, 0), 0.5)
	return hi * math.Pow(hi/lo, frac/(1-frac))
}

// fitLogAxis sets the top of p's log y axis, whose data ends at hi, so
// that the top frac of the panel (dataH high) stays clear for a legend,
// after lowering the bottom of a latency axis to a label under its lowest
// line. Why a loop: the lower bottom widens the axis, which raises the
// top, which may thin the labels and so lower the bottom again.
func fitLogAxis(p *plot.Plot, dataH vg.Length, hi, frac float64) {
	lt, _ := p.Y.Tick.Marker.(*logTicker)
	for range 4 {
		if lt != nil {
			lt.heightPt = dataH
			p.Y.Min = lt.lowerMin(p.Y.Min, p.Y.Max)
		}
		p.Y.Max = legendHeadroom(p.Y.Min, hi, frac)
	}
}
