package engine

import "sync/atomic"

// Tickets hands out the open model's requests in schedule order to
// connections that each block on their own socket (sync and goroutine
// modes). A connection takes a ticket when it is free, waits for the
// ticket's due time and sends; a request due while every connection is
// busy simply waits, untaken, and its latency still counts from its due
// time. It costs one atomic add per request, like Budget. The reactor does
// not use it: each loop takes its own share of the schedule, lock-free.
type Tickets struct {
	sched Schedule
	limit int64 // first index not to hand out; -1 means none
	next  atomic.Int64
}

// NewTickets returns the dispenser of sched. When maxRequests > 0 it hands
// out the warm-up's requests (those due before warmupNs) plus maxRequests
// more, like Budget, which does not count the warm-up.
func NewTickets(sched Schedule, maxRequests int64, warmupNs int64) *Tickets {
	t := &Tickets{sched: sched, limit: -1}
	if maxRequests > 0 {
		t.limit = FirstAt(&sched, warmupNs) + maxRequests
	}
	return t
}

// Take returns the next request's index and its intended send time in ns
// on the run clock, or false when the schedule (or the request budget) is
// used up.
func (t *Tickets) Take() (n, due int64, ok bool) {
	n = t.next.Add(1) - 1
	if t.limit >= 0 && n >= t.limit {
		return n, 0, false
	}
	due, ok = t.sched.Due(n)
	return n, due, ok
}

// Untaken returns how many requests were due before endNs and never
// taken: the run ended before a connection was free for them. Call it
// once every connection has stopped taking.
func (t *Tickets) Untaken(endNs int64) int64 {
	due := FirstAt(&t.sched, endNs)
	if t.limit >= 0 {
		due = min(due, t.limit)
	}
	return max(due-t.next.Load(), 0)
}

// Schedule returns the schedule the tickets come from.
func (t *Tickets) Schedule() *Schedule { return &t.sched }
