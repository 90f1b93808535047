package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// logTicker marks a log axis and labels it as densely as the height it
// is drawn at allows: at 1, 2 and 5 times each power of ten when roomy, at
// 1 and 3 with less room, at the powers alone when tight, and always with
// at least two labels. drawGrid sets heightPt, the data area's height,
// before the axis is drawn; at zero (unknown) it labels as logTicks does.
// dataLo, the lowest value drawn, lets lowerMin extend the axis down to a
// label at or below it. A latency axis (ms) labels with the unit: 2 ms.
type logTicker struct {
	heightPt vg.Length            // the data area's height
	labelPt  vg.Length            // the height of a tick label
	dataLo   float64              // the lowest value drawn; 0 when unknown
	label    func(float64) string // a tick's label
}

// newLatencyTicker returns the ticker of a latency axis (ms) whose tick
// labels are in font size labelPt and whose lowest line is at dataLo ms.
func newLatencyTicker(labelPt vg.Length, dataLo float64) *logTicker {
	return &logTicker{labelPt: labelPt, dataLo: dataLo, label: latencyLabel}
}

// newLogTicker returns the ticker of a log axis of plain numbers (1.5k,
// 0.2) whose tick labels are in font size labelPt and whose lowest value
// drawn is dataLo.
func newLogTicker(labelPt vg.Length, dataLo float64) *logTicker {
	return &logTicker{labelPt: labelPt, dataLo: dataLo, label: func(v float64) string { return formatNum(roundSig(v)) }}
}

// labelSet is a set of multiples of powers of ten that may carry labels,
// with the smallest gap between two of its labels in decades (log10 of
// the ratio of neighbours).
type labelSet struct {
	mults  []float64
	gapDec float64
}

// labelSets returns the label sets, densest first.
func labelSets() []labelSet {
	return []labelSet{
		{[]float64{1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}, math.Log10(9.0 / 8)},
		{[]float64{1, 2, 5}, math.Log10(2)},
		{[]float64{1, 3}, math.Log10(3)},
		{[]float64{1}, 1},
	}
}

// Ticks returns the ticks over [min, max]: the labels of labels, and
// unlabelled minor ticks at 1, 2 and 5 times each power of ten.
func (lt *logTicker) Ticks(min, max float64) []plot.Tick {
	if lt.heightPt <= 0 || min <= 0 || max <= min {
		ticks := logTicks(min, max)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = lt.label(ticks[i].Value)
			}
		}
		return ticks
	}
	labelled, _, _ := lt.labels(min, max)
	ticks := make([]plot.Tick, 0, len(labelled)+8)
	for _, v := range labelled {
		ticks = append(ticks, plot.Tick{Value: v, Label: lt.label(v)})
	}
	for _, v := range multiplesIn([]float64{1, 2, 5}, min, max) {
		if !containsValue(labelled, v) {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// labels returns the labelled values over [min, max], in increasing
// order: the densest set of labelSets whose labels stand at least 1.5
// label heights apart, or a denser one when that gives fewer than two
// labels; when even powers of ten are too close, every few of them from
// the lowest (every > 1). mults is the set the labels are drawn from.
func (lt *logTicker) labels(min, max float64) (labelled, mults []float64, every int) {
	perDecade := float64(lt.heightPt) / math.Log10(max/min)
	need := 1.5 * float64(lt.labelPt)
	sets := labelSets()
	pick := len(sets) - 1
	for i, set := range sets {
		if set.gapDec*perDecade >= need {
			pick = i
			break
		}
	}
	for pick > 0 && len(multiplesIn(sets[pick].mults, min, max)) < 2 {
		pick--
	}
	labelled = multiplesIn(sets[pick].mults, min, max)
	if every = int(math.Ceil(need / perDecade)); pick == len(sets)-1 && every > 1 {
		// Tighter than a label per decade: every few decades, from the
		// bottom, so that the lowest line has a label under it.
		var sparse []float64
		for i := 0; i < len(labelled); i += every {
			sparse = append(sparse, labelled[i])
		}
		if len(sparse) >= 2 {
			return sparse, sets[pick].mults, every
		}
	}
	return labelled, sets[pick].mults, 1
}

// lowerMin returns the bottom of an axis over [min, max], lowered where
// need be so that a labelled tick stands at or below dataLo: a reader
// can then tell the lowest line's value (p50, often) from the labels.
// It lowers min to the largest label at or below dataLo, which may
// thin the labels and so need another step. It returns min unchanged
// when the height or dataLo is unknown.
func (lt *logTicker) lowerMin(min, max float64) float64 {
	if lt.heightPt <= 0 || lt.dataLo <= 0 || min <= 0 || max <= min {
		return min
	}
	for range 8 {
		labelled, mults, every := lt.labels(min, max)
		if len(labelled) > 0 && labelled[0] <= lt.dataLo*(1+1e-9) {
			return min
		}
		if every > 1 {
			mults = []float64{1}
		}
		f := floorMultiple(mults, lt.dataLo)
		if f >= min {
			return min
		}
		min = f
	}
	return min
}

// floorMultiple returns the largest m times a power of ten, for m in
// mults (which holds 1), that is at most v.
func floorMultiple(mults []float64, v float64) float64 {
	e := math.Floor(math.Log10(v))
	best := roundSig(math.Pow(10, e-1))
	for _, exp := range []float64{e - 1, e} {
		for _, m := range mults {
			if c := roundSig(m * math.Pow(10, exp)); c <= v && c > best {
				best = c
			}
		}
	}
	return best
}

// multiplesIn returns m times each power of ten, for each m of mults,
// that lies in [min, max], in increasing order.
func multiplesIn(mults []float64, min, max float64) []float64 {
	var vs []float64
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range mults {
			if v := roundSig(m * math.Pow(10, e)); v >= min && v <= max {
				vs = append(vs, v)
			}
		}
	}
	return vs
}

// containsValue reports whether vs holds v.
func containsValue(vs []float64, v float64) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}

// latencyLabel labels a latency in ms with its unit: 0.5 ms, 20 ms, 2 s.
func latencyLabel(ms float64) string {
	if v := roundSig(ms); v >= 1000 {
		return formatNum(roundSig(v/1000)) + " s"
	}
	return strconv.FormatFloat(roundSig(ms), 'f', -1, 64) + " ms"
}
