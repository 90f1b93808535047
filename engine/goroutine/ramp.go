package goroutine

import (
	"time"

	"github.com/nowait/nowait/engine"
)

// rampTick is how often the closed model's connection ramp is applied: a
// slot starts or stops at most this late.
const rampTick = 10 * time.Millisecond

// The closed model with stages: the run prepares ramp.Max() slots and a
// controller marks slot i active while i < ramp.At(t), t from the run's
// start (warm-up included):
//
//	conns
//	 max |      ______          slots [0, At(t)) send back to back;
//	     |    /        \        slots [At(t), max) close their connection
//	start|__/            \__    and wait, idle, until they are wanted again
//	     +-------------------> t
//
// A slot leaving the ramp finishes the request it has in flight first.

// rampLoop applies ramp to slots every rampTick until the run stops,
// from cur slots active. It is owned by Run, which waits for it.
func (r *run) rampLoop(ramp engine.ConnRamp, slots []*slot, cur int) {
	r.every(rampTick, func() {
		want := min(ramp.At(time.Duration(r.clock.Now())), len(slots))
		for ; cur < want; cur++ {
			slots[cur].setActive(true)
		}
		for ; cur > want; cur-- {
			slots[cur-1].setActive(false)
		}
	})
}

// activateRamp marks the slots wanted at the start of the run, before any
// worker runs, and returns how many.
func activateRamp(ramp engine.ConnRamp, slots []*slot) int {
	want := min(ramp.At(0), len(slots))
	for i, s := range slots {
		s.setActive(i < want)
	}
	return want
}

// tickLoop closes each group's intervals once a second even when no
// member records anything (every connection held idle or stalled), so the
// intervals and the live line follow the clock. It is owned by Run.
func (r *run) tickLoop(groups []*engine.RecorderGroup) {
	r.every(time.Second, func() {
		now := r.clock.Now()
		for _, g := range groups {
			g.Lock(now)
			g.Unlock()
		}
	})
}

// every calls f each period until the run stops.
func (r *run) every(period time.Duration, f func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			f()
		case <-r.stopCh:
			return
		}
	}
}
