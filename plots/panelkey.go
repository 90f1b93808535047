package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panelKey is a legend drawn in one row above a panel's data area, in the
// place of its title: a caption, then each entry's sample and name. Why
// above and not inside: a legend inside the data area needs the axis
// raised to clear it, which on a short log panel adds decades of nothing
// above the data.
type panelKey struct {
	// captions are the caption's forms, from the fullest to the
	// shortest; the first that fits the row is drawn. Empty: none.
	captions []string
	entries  []legendEntry // each drawn by its first text
}

// keyGap is the room between two items of a key, in points at the
// default size.
const keyGap = 12

// legendStyle returns a one-entry legend in lk's legend style, samples
// thumbWidth wide, drawn from the top left of its canvas.
func legendStyle(lk look, thumbWidth vg.Length) plot.Legend {
	leg := plot.NewLegend()
	leg.TextStyle.Font = lk.font(legendPt, false)
	leg.ThumbnailWidth = thumbWidth
	leg.Top, leg.Left = true, true
	return leg
}

// height returns the height of k's row.
func (k panelKey) height(lk look) vg.Length {
	leg := legendStyle(lk, 0)
	leg.Add("p50")
	return leg.Rectangle(draw.Canvas{}).Size().Y
}

// draw draws k in one row from left at top, at most width wide: the
// fullest caption that fits, else the shortest cut to fit.
func (k panelKey) draw(c draw.Canvas, lk look, left, top, width vg.Length) {
	sample := legendStyle(lk, lk.pt(24))
	var entriesW vg.Length
	for _, e := range k.entries {
		entriesW += sample.ThumbnailWidth + sample.TextStyle.Width(" "+e.texts[0]) + lk.pt(keyGap)
	}
	caption := legendStyle(lk, 0)
	x := left
	if len(k.captions) > 0 {
		room := width - entriesW - caption.TextStyle.Width(" ")
		text := k.captions[len(k.captions)-1]
		for _, t := range k.captions {
			if caption.TextStyle.Width(t) <= room {
				text = t
				break
			}
		}
		text = fitText(caption.TextStyle, text, room)
		caption.Add(text)
		// Why the shift: a legend puts a space before its text.
		x -= caption.TextStyle.Width(" ")
		x = k.drawItem(c, caption, x, top) + lk.pt(keyGap)
	}
	for _, e := range k.entries {
		leg := sample
		leg.Add(e.texts[0], e.thumbs...)
		x = k.drawItem(c, leg, x, top) + lk.pt(keyGap)
	}
}

// drawItem draws the one-entry legend leg from x at top and returns
// where it ends.
func (k panelKey) drawItem(c draw.Canvas, leg plot.Legend, x, top vg.Length) vg.Length {
	r := leg.Rectangle(draw.Canvas{})
	w, h := r.Size().X, r.Size().Y
	leg.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: x, Y: top - h}, Max: vg.Point{X: x + w, Y: top},
	}})
	return x + w
}
