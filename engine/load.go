package engine

import (
	"math"
	"sort"
	"time"
)

// Schedule is the open model's global schedule: it answers "when is request
// n due?" from a rate and its stages, with no clock inside. Request n (from
// 0) is due when the integral of the rate reaches n:
//
//	rate
//	 r1 |        ______
//	    |      /        \        N(t) = ∫ rate dt, piecewise quadratic
//	 r0 |____/            \      request n is due at the t with N(t) = n
//	    +--------------------> t
//
// Every loop takes its share of one sequence (loop k of L takes n = k, k+L,
// k+2L, ...), so the result does not depend on how connections are split.
type Schedule struct {
	segs []segment
	end  int64 // ns; 0 means unbounded (a constant rate without stages)
}

// segment is a linear ramp of the rate from r0 to r1 (per ns) over
// [start, start+dur), with n0 requests due before it.
type segment struct {
	start, dur int64
	r0, r1     float64 // requests per nanosecond
	n0         float64
}

// NewSchedule returns the schedule of a constant rate (requests per second)
// or, when stages are given, of a ramp that starts at ratePerSec (0 if
// none) and moves linearly to each stage's target over its duration.
func NewSchedule(ratePerSec float64, stages []Stage) Schedule {
	const perNs = 1e-9
	if len(stages) == 0 {
		return Schedule{segs: []segment{{start: 0, dur: math.MaxInt64, r0: ratePerSec * perNs, r1: ratePerSec * perNs}}}
	}
	var s Schedule
	var t int64
	var n float64
	r := ratePerSec * perNs
	for _, st := range stages {
		d := int64(st.Duration)
		if d <= 0 {
			r = st.Target * perNs // a zero-length stage jumps to its target
			continue
		}
		next := st.Target * perNs
		s.segs = append(s.segs, segment{start: t, dur: d, r0: r, r1: next, n0: n})
		n += (r + next) / 2 * float64(d)
		t += d
		r = next
	}
	s.end = t
	return s
}

// Due returns the intended send time of request n in nanoseconds from the
// start of the schedule, and false when request n is not due before the
// schedule ends (the run has sent everything it should).
func (s *Schedule) Due(n int64) (int64, bool) {
	if s.end > 0 && n >= s.Total() {
		// Past the area under the ramp: near a ramp's end at rate 0 the
		// inverse is steep, and float noise would still find a time.
		return 0, false
	}
	x := float64(n)
	// The last segment whose first request index is at most n.
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].n0 > x }) - 1
	for ; i >= 0 && i < len(s.segs); i++ {
		seg := &s.segs[i]
		k := x - seg.n0 // requests into this segment
		a := (seg.r1 - seg.r0) / (2 * float64(seg.dur))
		b := seg.r0
		// Solve a t² + b t = k for the smallest t >= 0, in the form that
		// stays exact when a is 0 or small: t = 2k / (b + sqrt(b² + 4ak)).
		disc := b*b + 4*a*k
		if disc < 0 {
			continue // the ramp ends before reaching n: look in the next segment
		}
		den := b + math.Sqrt(disc)
		if den <= 0 {
			if k == 0 && b == 0 && a > 0 {
				return seg.start, true
			}
			continue
		}
		// Rounded to the nearest nanosecond, not truncated: the rate per
		// nanosecond is inexact in binary, and request rate*d, due exactly
		// at the end of d, came out 1 ns before it and was sent.
		t := math.Round(2 * k / den)
		if float64(seg.dur) != float64(math.MaxInt64) && t >= float64(seg.dur) {
			continue
		}
		return seg.start + int64(t), true
	}
	return 0, false
}

// End returns the schedule's length, or 0 when it has no end.
func (s *Schedule) End() time.Duration { return time.Duration(s.end) }

// Total returns how many requests the schedule holds, or -1 when it has no
// end.
func (s *Schedule) Total() int64 {
	if s.end == 0 {
		return -1
	}
	last := s.segs[len(s.segs)-1]
	return int64(math.Ceil(last.n0 + (last.r0+last.r1)/2*float64(last.dur) - 1e-6))
}

// ConnRamp answers "how many connections now?" for the closed model's
// stages: from start it moves linearly to each stage's target.
type ConnRamp struct {
	start  int
	stages []Stage
}

// NewConnRamp returns the ramp that starts at start connections.
func NewConnRamp(start int, stages []Stage) ConnRamp {
	return ConnRamp{start: start, stages: stages}
}

// At returns the number of connections wanted at elapsed time t.
func (c ConnRamp) At(t time.Duration) int {
	cur := float64(c.start)
	for _, st := range c.stages {
		if t < st.Duration {
			frac := float64(t) / float64(st.Duration)
			return int(math.Round(cur + (st.Target-cur)*frac))
		}
		t -= st.Duration
		cur = st.Target
	}
	return int(math.Round(cur))
}

// Max returns the most connections the ramp ever wants.
func (c ConnRamp) Max() int {
	m := float64(c.start)
	for _, st := range c.stages {
		m = math.Max(m, st.Target)
	}
	return int(math.Round(m))
}
