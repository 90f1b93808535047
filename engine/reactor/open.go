package reactor

import (
	"slices"

	"github.com/nowait/nowait/engine"
)

// openFeed is the open model's answer to "when to send": loop k of L takes
// requests k, k+L, k+2L, ... of the plan's global schedule, in order. The
// queue of requests due but not yet sent is no structure at all: it is
// every request from next up to the newest due, so waiting costs nothing
// per request. It holds no clock and no goroutine.
type openFeed struct {
	sched engine.Schedule
	step  int64   // L, the number of loops
	next  int64   // the first request of this loop not yet sent
	limit int64   // the first global index not to send; < 0 means none
	due   int64   // next's intended send time, ns from the clock's zero
	more  bool    // next is in the schedule at all
	again []int64 // due times of requests given back to be sent again, earliest first
}

// newOpenFeed returns loop k's feed of a schedule shared by loops loops,
// ending before the global index limit (< 0: no limit).
func newOpenFeed(sched engine.Schedule, loops, k int, limit int64) *openFeed {
	f := &openFeed{sched: sched, step: int64(max(loops, 1)), next: int64(k), limit: limit}
	f.load()
	return f
}

// openLimit returns the global index the open model's feeds end at: the
// warm-up's requests plus maxRequests, or -1 when maxRequests is 0 (the
// schedule or the duration ends the run).
func openLimit(sched *engine.Schedule, maxRequests, warmupNs int64) int64 {
	if maxRequests <= 0 {
		return -1
	}
	return engine.FirstAt(sched, warmupNs) + maxRequests
}

// load reads next's due time, or marks the feed done past its limit.
func (f *openFeed) load() {
	if f.limit >= 0 && f.next >= f.limit {
		f.due, f.more = 0, false
		return
	}
	f.due, f.more = f.sched.Due(f.next)
}

// spent reports whether this loop has taken its whole share of a request
// limit: the run ends when those are answered, not at a time.
func (f *openFeed) spent() bool { return f.limit >= 0 && f.next >= f.limit && len(f.again) == 0 }

// ready reports whether the next request is due at now.
func (f *openFeed) ready(now int64) bool {
	return len(f.again) > 0 && f.again[0] <= now || f.more && f.due <= now
}

// nextDue returns the next request's due time, and false when the
// schedule has no more for this loop.
func (f *openFeed) nextDue() (int64, bool) {
	if len(f.again) > 0 && (!f.more || f.again[0] < f.due) {
		return f.again[0], true
	}
	return f.due, f.more
}

// pop takes the next request and returns its intended send time.
func (f *openFeed) pop() int64 {
	if len(f.again) > 0 && (!f.more || f.again[0] <= f.due) {
		d := f.again[0]
		f.again = f.again[:copy(f.again, f.again[1:])]
		return d
	}
	d := f.due
	f.next += f.step
	f.load()
	return d
}

// giveBack queues a request that was written and will not be answered
// (the server closed the connection first, saying so) to be sent again
// with its intended send time: its latency still runs from then. Until it
// is, it counts as never sent, and as dropped if the run ends first.
func (f *openFeed) giveBack(due int64) {
	i := len(f.again)
	for i > 0 && f.again[i-1] > due {
		i--
	}
	f.again = slices.Insert(f.again, i, due)
}

// dropAll counts and takes the requests due before end that were never
// sent (or given back and not sent again): the run ended before a
// connection was free for them. It counts
// them from the schedule, not one by one, so an absurd rate (-R 1e12)
// ends on time.
func (f *openFeed) dropAll(end int64) uint64 {
	k := 0
	for k < len(f.again) && f.again[k] < end {
		k++
	}
	f.again = f.again[:copy(f.again, f.again[k:])]
	given := uint64(k)
	if !f.more || f.due >= end {
		return given
	}
	last := engine.FirstAt(&f.sched, end) // requests due before end, all loops
	if f.limit >= 0 {
		last = min(last, f.limit)
	}
	if last <= f.next {
		return given
	}
	n := (last - f.next + f.step - 1) / f.step // this loop's: next, next+L, ... < last
	f.next += n * f.step
	f.load()
	return given + uint64(n)
}
