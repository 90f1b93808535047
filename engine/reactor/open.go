package reactor

import "github.com/nowait/nowait/engine"

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
