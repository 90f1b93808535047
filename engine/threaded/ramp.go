package threaded

import (
	"time"

	"github.com/nowait/nowait/engine"
)

// The closed model's connection stages in sync mode. Every connection the
// ramp ever wants has its thread from the start; connection i is open
// while the ramp wants more than i connections and closed otherwise:
//
//	wanted
//	  8 |      ________
//	    |     /        \          connection 5 is open while wanted > 5:
//	  5 |....x..........x.....    from the first x to the second
//	  2 |___/            \___
//	    +-------------------------> t (run clock, warm-up included)
//
// An open connection looks at the ramp after each response and, when it
// is no longer wanted, reads what is in flight and closes. A closed one
// sleeps until the time wantedFrom computes.

// wanted reports whether the ramp, if any, wants the connection at nowNs.
func (c *conn) wanted(nowNs int64) bool {
	return c.r.ramp == nil || c.r.ramp.At(time.Duration(nowNs)) > c.id
}

// awaitWanted sleeps until the ramp wants the connection. It reports false
// when the run stopped; a connection never wanted again waits for the stop.
func (c *conn) awaitWanted() bool {
	r := c.r
	t, ok := wantedFrom(r.ramp, r.plan.Stages, c.id, time.Duration(r.clock.Now()))
	if !ok || (r.endNs > 0 && int64(t) >= r.endNs) {
		<-r.stopCh
		return false
	}
	return c.sleepUntil(int64(t))
}

// wantedFrom returns the earliest time at or after from at which ramp
// (made of stages) wants more than i connections, and false if it never
// does again. Within a stage the ramp is monotonic, so the first such time
// is at the stage's start or found by bisection.
func wantedFrom(ramp *engine.ConnRamp, stages []engine.Stage, i int, from time.Duration) (time.Duration, bool) {
	want := func(t time.Duration) bool { return ramp.At(t) > i }
	var a time.Duration
	for _, st := range stages {
		if st.Duration <= 0 {
			continue // a zero-length stage only moves the ramp's level
		}
		b := a + st.Duration
		lo := max(from, a)
		if lo < b {
			if want(lo) {
				return lo, true
			}
			if hi := b - 1; want(hi) {
				for hi-lo > 1 { // want(hi) holds, want(lo) does not
					mid := lo + (hi-lo)/2
					if want(mid) {
						hi = mid
					} else {
						lo = mid
					}
				}
				return hi, true
			}
		}
		a = b
	}
	if lo := max(from, a); want(lo) {
		return lo, true
	}
	return 0, false
}
