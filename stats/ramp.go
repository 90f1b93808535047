package stats

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RampPoint is a corner of a planned ramp: AtSec seconds after the run
// began, the plan asked for Target, requests per second in the open model
// or open connections in the closed one. A ramp is its corners joined by
// straight lines; two corners at one time are a step.
//
//	target
//	  500 |      /\          corners (0,100) (2,500) (4,0):
//	      |     /  \         -R 100 --stages 2s:500,2s:0
//	  100 |____/    \
//	      +-----------> at_s
type RampPoint struct {
	AtSec  float64 `json:"at_s"`
	Target float64 `json:"target"`
}

// RampText names a ramp's targets in order, a value that repeats said
// once: "100 → 500 → 0". It is "" for no corners.
func RampText(ramp []RampPoint) string {
	var parts []string
	for i, p := range ramp {
		if i > 0 && p.Target == ramp[i-1].Target {
			continue
		}
		parts = append(parts, formatTarget(p.Target))
	}
	return strings.Join(parts, " → ")
}

// RampLength returns how long a ramp lasts: the time of its last corner.
func RampLength(ramp []RampPoint) time.Duration {
	if len(ramp) == 0 {
		return 0
	}
	return time.Duration(math.Round(ramp[len(ramp)-1].AtSec * 1e9))
}

// formatTarget prints a rate or a count: whole numbers with thousands
// separators, others with the digits they need.
func formatTarget(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return GroupDigits(int64(v))
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// rampOrLevel returns r's ramp or, for a run without stages, its constant
// rate (open model) or connection count over its length: what it adds to
// a merge with a ramped run.
func (r *Result) rampOrLevel() []RampPoint {
	if len(r.Ramp) > 0 {
		return r.Ramp
	}
	level := float64(r.Connections)
	if r.Model == "open" {
		level = r.RatePerSec
	}
	return []RampPoint{{0, level}, {r.Elapsed.Seconds(), level}}
}

// shiftRamp returns ramp moved later by sec seconds; ramp is not modified.
func shiftRamp(ramp []RampPoint, sec float64) []RampPoint {
	out := make([]RampPoint, len(ramp))
	for i, p := range ramp {
		out[i] = RampPoint{p.AtSec + sec, p.Target}
	}
	return out
}

// addRamps returns the sum of two ramps, each 0 outside its first and
// last corners: a corner at every time either has one, with a step where
// the sum jumps there (a ramp starts, ends or steps).
func addRamps(a, b []RampPoint) []RampPoint {
	var times []float64
	for _, p := range append(append([]RampPoint(nil), a...), b...) {
		times = append(times, p.AtSec)
	}
	sort.Float64s(times)
	times = compactFloats(times)
	var out []RampPoint
	for i, t := range times {
		left := rampBefore(a, t) + rampBefore(b, t)
		right := rampAfter(a, t) + rampAfter(b, t)
		if i > 0 {
			out = append(out, RampPoint{t, left})
		}
		if i == 0 || (i < len(times)-1 && right != left) {
			out = append(out, RampPoint{t, right})
		}
	}
	return out
}

// compactFloats drops repeats from sorted values.
func compactFloats(v []float64) []float64 {
	out := v[:0]
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// rampBefore returns the ramp's value just before t (0 where it has not
// started): at a step, the value it steps from.
func rampBefore(ramp []RampPoint, t float64) float64 {
	if len(ramp) == 0 || t <= ramp[0].AtSec || t > ramp[len(ramp)-1].AtSec {
		return 0
	}
	j := sort.Search(len(ramp), func(i int) bool { return ramp[i].AtSec >= t }) // j >= 1
	if ramp[j].AtSec == t {
		return ramp[j].Target
	}
	return between(ramp[j-1], ramp[j], t)
}

// rampAfter returns the ramp's value just after t (0 where it has ended):
// at a step, the value it steps to.
func rampAfter(ramp []RampPoint, t float64) float64 {
	if len(ramp) == 0 || t < ramp[0].AtSec || t >= ramp[len(ramp)-1].AtSec {
		return 0
	}
	j := sort.Search(len(ramp), func(i int) bool { return ramp[i].AtSec > t }) - 1 // the last corner at or before t
	if ramp[j].AtSec == t {
		return ramp[j].Target
	}
	return between(ramp[j], ramp[j+1], t)
}

// between interpolates linearly from p to q at t, p.AtSec < t < q.AtSec.
func between(p, q RampPoint, t float64) float64 {
	return p.Target + (q.Target-p.Target)*(t-p.AtSec)/(q.AtSec-p.AtSec)
}
