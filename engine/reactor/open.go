package reactor

import (
	"fmt"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// openFeed is the open model's answer to "when to send": loop k of L takes
// requests k, k+L, k+2L, ... of the plan's global schedule, in order. The
// queue of requests due but not yet sent is no structure at all: it is
// every request from next up to the newest due, so waiting costs nothing
// per request. It holds no clock and no goroutine.
type openFeed struct {
	sched engine.Schedule
	step  int64 // L, the number of loops
	next  int64 // the first request of this loop not yet sent
	due   int64 // next's intended send time, ns from the clock's zero
	more  bool  // next is in the schedule at all
}

// newOpenFeed returns loop k's feed of a schedule shared by loops loops.
func newOpenFeed(sched engine.Schedule, loops, k int) *openFeed {
	f := &openFeed{sched: sched, step: int64(max(loops, 1)), next: int64(k)}
	f.due, f.more = f.sched.Due(f.next)
	return f
}

// ready reports whether the next request is due at now.
func (f *openFeed) ready(now int64) bool { return f.more && f.due <= now }

// nextDue returns the next request's due time, and false when the
// schedule has no more for this loop.
func (f *openFeed) nextDue() (int64, bool) { return f.due, f.more }

// pop takes the next request and returns its intended send time.
func (f *openFeed) pop() int64 {
	d := f.due
	f.next += f.step
	f.due, f.more = f.sched.Due(f.next)
	return d
}

// dropAll counts and takes the requests due before end that were never
// sent: the run ended before a connection was free for them.
func (f *openFeed) dropAll(end int64) uint64 {
	var n uint64
	for f.more && f.due < end {
		f.pop()
		n++
	}
	return n
}

// scheduled returns how many requests of sched are due in [from, to).
func scheduled(sched *engine.Schedule, from, to int64) int64 {
	return firstAt(sched, to) - firstAt(sched, from)
}

// firstAt returns the index of the first request due at or after t (the
// count of those due before it), by doubling then bisection.
func firstAt(sched *engine.Schedule, t int64) int64 {
	before := func(n int64) bool {
		d, ok := sched.Due(n)
		return ok && d < t
	}
	if !before(0) {
		return 0
	}
	hi := int64(1)
	for before(hi) {
		hi *= 2
	}
	lo := hi / 2 // before(lo) holds, before(hi) does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if before(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// satInput is what the saturation verdict of an open run is made from.
type satInput struct {
	rate        float64 // scheduled requests per second over the measured part
	achieved    float64 // requests answered (or still in flight) per second
	sendLagP99  float64 // ms
	latencyP50  float64 // service time p50, ms
	connections int
	pipeline    int
}

// Saturation thresholds: the achieved rate must be within 1% of the
// schedule, and sends may lag it by at most 10 ms at the p99.
const (
	minAchieved   = 0.99
	maxSendLagP99 = 10.0 // ms
)

// saturation says whether an open run kept its schedule and, when not,
// names the likely cause: too few connections for the target's latency,
// or else a generator (or target) too slow to send on time.
func saturation(in satInput) stats.Saturation {
	if in.rate <= 0 || (in.achieved >= minAchieved*in.rate && in.sendLagP99 <= maxSendLagP99) {
		return stats.Saturation{}
	}
	if in.latencyP50 > 0 {
		capacity := float64(in.connections*in.pipeline) / (in.latencyP50 / 1e3)
		if capacity < in.rate {
			return stats.Saturation{Saturated: true, Reason: fmt.Sprintf(
				"too few connections for the latency: %d connections × pipeline %d at p50 %.1f ms hold at most %.0f req/s (scheduled %.0f req/s)",
				in.connections, in.pipeline, in.latencyP50, capacity, in.rate)}
		}
	}
	return stats.Saturation{Saturated: true, Reason: fmt.Sprintf(
		"generator CPU or target too slow: sends lagged the schedule by p99 %.1f ms (achieved %.0f of %.0f req/s)",
		in.sendLagP99, in.achieved, in.rate)}
}
