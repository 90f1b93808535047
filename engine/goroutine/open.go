package goroutine

import (
	"time"

	"github.com/nowait/nowait/engine"
)

// The open model in goroutine mode. Every worker takes the next request of
// the run's one schedule (engine.Tickets) when it is free, sleeps until
// that request is due and sends it:
//
//	tickets:   0    1    2    3    4    5 ...   (due at Schedule.Due(n))
//	worker A:  take 0, wait, send ......... take 2 (late: send at once)
//	worker B:       take 1, wait, send ... take 3, wait, ...
//
// A request due while every worker is busy waits untaken; the worker that
// takes it late sends it at once, and its latency still counts from its
// due time, so a stalled server shows in the percentiles (coordinated
// omission corrected). Service time counts from the actual write, send lag
// is the write minus the due time. Requests due before the end that were
// never sent are counted as Dropped.

// openLoop takes tickets until the schedule or the request budget is used
// up, or the run stops.
func (w *worker) openLoop() {
	r := w.r
	for !r.stopped() {
		// A slot in its backoff takes no ticket: the others take them.
		if _, ok := w.slot.awaitConnect(&w.timer); !ok {
			return
		}
		_, due, ok := r.tickets.Take()
		if !ok || r.pastPlannedEnd(due) {
			if ok {
				// Nothing more is due before the planned end, but the run
				// lasts until then (as in every mode): workers that all
				// ended now would end the run early.
				r.waitUntil(&w.timer, r.plan.EndNs())
			}
			return
		}
		idle := due > r.clock.Now() // the connection waits for it, idle
		if !w.r.waitUntil(&w.timer, due) {
			w.dropIfDue(due)
			return
		}
		if idle {
			w.slot.checkIdle()
		}
		if _, ok := w.once(due, r.clock.Now()); !ok {
			return
		}
	}
}

// pastPlannedEnd reports whether a request due at dueNs falls at or after
// the plan's end: it is not the run's to send, even when the run notices
// its end a little late on a loaded machine.
func (r *run) pastPlannedEnd(dueNs int64) bool {
	e := r.plan.EndNs()
	return e > 0 && dueNs >= e
}

// waitUntil sleeps until dueNs on the run clock, and reports false when
// the run stopped first. *t is the caller's timer, made on its first wait
// and reused after: no allocation per wait.
func (r *run) waitUntil(t **time.Timer, dueNs int64) bool {
	d := time.Duration(dueNs - r.clock.Now())
	if d > 0 {
		if *t == nil {
			*t = time.NewTimer(d)
		} else {
			(*t).Reset(d) // since Go 1.23 Reset drops a stale tick
		}
		select {
		case <-(*t).C:
		case <-r.stopCh:
			(*t).Stop()
			return false
		}
	}
	return !r.stop.Load()
}

// dropIfDue counts a taken request that was never sent as Dropped when it
// was due before the run's end.
func (w *worker) dropIfDue(dueNs int64) {
	end := w.r.endNs.Load()
	if end == 0 || dueNs >= end {
		return
	}
	rec := w.slot.g.Lock(end)
	rec.Dropped++
	w.slot.g.Unlock()
}

// openIdleLimit is how long fasthttp may keep an idle connection in the
// open model: long enough that a connection is not closed between two of
// its requests at the plan's rate (Connections/rate apart on average), so
// that a slow rate does not measure a reconnect per request; bounded,
// because fasthttp's cleaner goroutine outlives the run by up to this.
func openIdleLimit(plan *engine.Plan) time.Duration {
	const lo, hi = 500 * time.Millisecond, 10 * time.Second
	rate := plan.RatePerSec
	for _, st := range plan.Stages {
		if st.Target > 0 && (rate <= 0 || st.Target < rate) {
			rate = st.Target
		}
	}
	if rate <= 0 {
		return hi
	}
	gap := time.Duration(float64(plan.Connections) / rate * float64(time.Second))
	return min(max(4*gap, lo), hi)
}
