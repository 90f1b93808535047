package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// connTicker marks the connection counts of a comparison on its log x
// axis, every count with a tick, and labels as many of them as fit side
// by side: from the left, a label is left out where it would come closer
// than connLabelGap to the one before, and the largest count is always
// labelled (in the place of the labels before it that it would touch).
// drawGrid's fit (compareFit) sets widthPt, the narrowest data area's
// width, before the axes are drawn; at zero (unknown) every count is
// labelled.
type connTicker struct {
	conns   []int      // the counts run, in increasing order
	label   text.Style // the style of a tick label
	widthPt vg.Length  // the narrowest data area's width
}

// connLabelGap is the least room between two labels of connection counts,
// in label heights: "50" and "100" a hair apart read as "50100".
const connLabelGap = 0.5

// Ticks returns a tick at each count over [lo, hi], labelled as many as
// fit.
func (ct *connTicker) Ticks(lo, hi float64) []plot.Tick {
	ticks := make([]plot.Tick, len(ct.conns))
	for i, c := range ct.conns {
		ticks[i] = plot.Tick{Value: float64(max(c, 1)), Label: formatNum(float64(c))}
	}
	if ct.widthPt <= 0 || lo <= 0 || hi <= lo || len(ticks) < 2 {
		return ticks
	}
	x := func(v float64) vg.Length {
		return ct.widthPt * vg.Length(math.Log(v/lo)/math.Log(hi/lo))
	}
	gap := connLabelGap * ct.label.Height("0")
	left := func(t plot.Tick) vg.Length { return x(t.Value) - ct.label.Width(t.Label)/2 }
	right := func(t plot.Tick) vg.Length { return x(t.Value) + ct.label.Width(t.Label)/2 }
	var kept []int // indexes of the labelled ticks
	for i, t := range ticks {
		if len(kept) == 0 || left(t) >= right(ticks[kept[len(kept)-1]])+gap {
			kept = append(kept, i)
		}
	}
	// The largest count keeps its label: the axis then reads to its end.
	last := len(ticks) - 1
	for len(kept) > 0 && kept[len(kept)-1] != last && left(ticks[last]) < right(ticks[kept[len(kept)-1]])+gap {
		kept = kept[:len(kept)-1]
	}
	if len(kept) == 0 || kept[len(kept)-1] != last {
		kept = append(kept, last)
	}
	out := make([]plot.Tick, len(ticks))
	for i, t := range ticks {
		out[i] = plot.Tick{Value: t.Value}
	}
	for _, i := range kept {
		out[i].Label = ticks[i].Label
	}
	return out
}

// compareFit is drawGrid's fit for a comparison: it tells the panels'
// connTicker, which they share, the width of the narrowest data area, so
// that every panel labels the same counts and none has labels that touch.
func compareFit(p *plot.Plot, data draw.Canvas) {
	if ct, ok := p.X.Tick.Marker.(*connTicker); ok {
		if w := data.Max.X - data.Min.X; ct.widthPt <= 0 || w < ct.widthPt {
			ct.widthPt = w
		}
	}
}
