package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// linearTicker labels a linear axis as linearTicks does, and on a panel
// too short for all those labels keeps every second (or third, ...) of
// them, from zero, so that labels stand at least 1.5 label heights apart;
// the others stay as unlabelled ticks. fitPanel sets heightPt, the data
// area's height, before the axis is drawn; at zero (unknown) every label
// is kept.
type linearTicker struct {
	heightPt vg.Length // the data area's height
	labelPt  vg.Length // the height of a tick label
}

// newLinearTicker returns the ticker of a linear axis whose tick labels
// are in font size labelPt.
func newLinearTicker(labelPt vg.Length) *linearTicker { return &linearTicker{labelPt: labelPt} }

// Ticks returns the ticks over [min, max].
func (lt *linearTicker) Ticks(min, max float64) []plot.Tick {
	ticks := linearTicks(min, max)
	var labelled []int
	for i, t := range ticks {
		if t.Label != "" {
			labelled = append(labelled, i)
		}
	}
	if lt.heightPt <= 0 || len(labelled) < 3 {
		return ticks
	}
	gap := float64(lt.heightPt) * (ticks[labelled[1]].Value - ticks[labelled[0]].Value) / (max - min)
	every := int(math.Ceil(1.5 * float64(lt.labelPt) / gap))
	for j, i := range labelled {
		if every > 1 && j%every != 0 {
			ticks[i].Label = ""
		}
	}
	return ticks
}
