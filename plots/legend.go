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
// its plot, goes into more columns (up to maxLegendColumns) while it takes
// more than legendTarget of the chart's height, and its font shrinks to
// keep it within legendShare.
const (
	minLegendScale   = 0.75
	legendTarget     = 0.25
	legendShare      = 0.45
	maxLegendColumns = 3
)

// fitLegend fits entries in lk's style into columns of width, rows
// entries high: the font shrinks (not below minLegendScale) and the texts
// take the fullest level of form at which all fit (see legendForms), so
// that a column is at most width wide
// and, if it can be, maxH high. It returns an empty legend in the chosen
// style, the chosen texts, the height of a column, and whether every text
// fits whole (none cut short).
func fitLegend(lk look, entries []legendEntry, width, maxH vg.Length, rows int) (plot.Legend, []string, vg.Length, bool) {
	for scale := 1.0; ; scale -= 0.05 {
		leg := plot.NewLegend()
		leg.TextStyle.Font = lk.font(legendPt, false)
		leg.TextStyle.Font.Size *= vg.Length(scale)
		leg.ThumbnailWidth = lk.pt(24 * scale)
		leg.Padding = lk.pt(2 * scale)
		room := width - leg.ThumbnailWidth - leg.TextStyle.Width(" ")
		texts, fits := legendForms(leg, entries, room)
		h := legendRowsHeight(leg, min(rows, len(texts)))
		if (fits && h <= maxH) || scale <= minLegendScale+1e-9 {
			return leg, texts, h, fits
		}
	}
}

// legendForms returns the texts of entries at the fullest level of form
// at which every one fits in room, in leg's style: each entry's form at
// that level, or its last when it has fewer. Why one level for all: an
// entry shortened where its neighbour was not read as another kind of
// line ("r-open service:" beside "r-stall service time:"). When even the
// shortest forms do not all fit, those too long are cut, and fits is
// false.
func legendForms(leg plot.Legend, entries []legendEntry, room vg.Length) (texts []string, fits bool) {
	levels := 0
	for _, e := range entries {
		levels = max(levels, len(e.texts))
	}
	form := func(e legendEntry, level int) string { return e.texts[min(level, len(e.texts)-1)] }
	level := levels - 1
	for l := range levels {
		all := true
		for _, e := range entries {
			all = all && leg.TextStyle.Width(form(e, l)) <= room
		}
		if all {
			level = l
			break
		}
	}
	texts, fits = make([]string, len(entries)), true
	for i, e := range entries {
		texts[i] = form(e, level)
		if leg.TextStyle.Width(texts[i]) > room {
			fits = false
			texts[i] = fitText(leg.TextStyle, texts[i], room)
		}
	}
	return texts, fits
}

// legendRowsHeight returns the height of a column of n entries in the
// style of leg.
func legendRowsHeight(leg plot.Legend, n int) vg.Length {
	for range n {
		leg.Add("Xg")
	}
	return leg.Rectangle(draw.Canvas{}).Size().Y
}

// legendLayout is a legend laid out in columns above a plot.
type legendLayout struct {
	leg          plot.Legend // the style, with no entry
	texts        []string    // each entry's text
	h            vg.Length   // the height of a column
	cols, perCol int
}

// legendOffset is the margin of a legend above a plot, in points at the
// default size.
const legendOffset = 8

// layoutLegend lays entries out above a plot on a chart width wide and
// chartH high: in the fewest columns that keep the legend within
// legendTarget of the height with every text whole; failing that, in the
// columns that make it lowest with every text whole (one column, the texts
// cut, when no number of columns keeps them whole). The font shrinks where
// need be to keep a column within legendShare of the height.
func layoutLegend(lk look, entries []legendEntry, width, chartH vg.Length) legendLayout {
	offs := lk.pt(legendOffset)
	inner := width - 2*offs
	var best legendLayout
	bestWhole := false
	for cols := 1; cols <= maxLegendColumns; cols++ {
		perCol := (len(entries) + cols - 1) / cols
		leg, texts, h, whole := fitLegend(lk, entries, inner/vg.Length(cols)-offs, legendShare*chartH, perCol)
		l := legendLayout{leg: leg, texts: texts, h: h, cols: cols, perCol: perCol}
		if whole && h <= legendTarget*chartH {
			return l
		}
		if cols == 1 || (whole && (!bestWhole || h < best.h)) {
			best, bestWhole = l, whole
		}
		if perCol == 1 {
			break // more columns would only be empty
		}
	}
	return best
}

// grownHeight returns the height of a chart of default size whose legend,
// laid out as lay, is more than a few rows high: the default height plus
// the legend's height beyond legendRows rows, so that the plot keeps the
// size it has under a legend of a few runs.
func grownHeight(lay legendLayout) vg.Length {
	const legendRows = 4
	return DefaultHeight + max(lay.h-legendRowsHeight(lay.leg, legendRows), 0)
}

// drawWithLegend draws the single plot p in dc with the legend laid out
// as lay (by layoutLegend) above the plot, its height taken from the
// canvas: the log y axis runs from yLo to yHi, just around the data, and
// no legend covers a line. It returns the data area, as drawn, and the
// height of the legend.
func drawWithLegend(dc draw.Canvas, lk look, p *plot.Plot, lay legendLayout, entries []legendEntry, yLo, yHi float64) (draw.Canvas, vg.Length) {
	offs := lk.pt(legendOffset)
	p.Y.Min, p.Y.Max = yLo, yHi
	width := dc.Max.X - dc.Min.X - 2*offs
	top := dc.Max.Y
	colW := width / vg.Length(lay.cols)
	for c := range lay.cols {
		l := lay.leg
		for i := c * lay.perCol; i < min((c+1)*lay.perCol, len(entries)); i++ {
			l.Add(lay.texts[i], entries[i].thumbs...)
		}
		l.Top, l.Left = true, true
		x0 := dc.Min.X + offs + colW*vg.Length(c)
		l.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x0, Y: top - lay.h},
			Max: vg.Point{X: x0 + colW, Y: top},
		}})
	}
	return drawGrid(draw.Crop(dc, 0, 0, 0, -(lay.h+offs/2)), lk, [][]*plot.Plot{{p}}, nil, nil)[0][0], lay.h
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
