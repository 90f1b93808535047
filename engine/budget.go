package engine

import (
	"sync"
	"sync/atomic"
)

// Budget is a request budget shared by the connections of a run: the
// plan's MaxRequests, taken one request at a time. Engines whose
// connections each run on their own goroutine (sync, goroutine) share one;
// it costs an atomic or two per request, which is acceptable for those
// baseline modes but not on the reactor's hot path (its loops claim
// chunks of a pool, reactor/budget.go).
//
// A connection that took a request and could not send it (its connect
// failed) gives it back, for a connection that can; one that finds
// nothing to take while others hold requests they may give back waits
// (Wait) rather than end, so that the whole count is sent by the
// connections that can connect:
//
//	left --Take--> held --Sent--> sent (the budget is spent when all are)
//	  ^              |
//	  +--GiveBack----+  (wakes the connections in Wait)
type Budget struct {
	limit  int64
	left   atomic.Int64 // requests nobody holds: not taken, or given back
	unsent atomic.Int64 // requests not sent yet: left, plus those held

	mu      sync.Mutex
	changed chan struct{} // closed (and replaced) when a request comes back or the budget is spent
}

// NewBudget returns a budget of limit requests; limit <= 0 means no limit.
func NewBudget(limit int64) *Budget {
	b := &Budget{limit: limit, changed: make(chan struct{})}
	b.left.Store(limit)
	b.unsent.Store(limit)
	return b
}

// Take takes one request from the budget and reports whether it may be
// sent. Requests of the warm-up are not taken from the budget.
func (b *Budget) Take(warmup bool) bool {
	if b.limit <= 0 || warmup {
		return true
	}
	for {
		n := b.left.Load()
		if n <= 0 {
			return false
		}
		if b.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Sent settles a request taken with Take(warmup): it went out, and never
// comes back. Spent and Wait count on every request taken being settled,
// by Sent or GiveBack; a user that never gives a request back and never
// waits (the hold model) need not settle them.
func (b *Budget) Sent(warmup bool) {
	if b.limit <= 0 || warmup {
		return
	}
	if b.unsent.Add(-1) == 0 {
		b.wake() // the budget is spent: the connections in Wait end
	}
}

// GiveBack settles a request taken with Take(warmup) that could not be
// sent (its connect failed): another connection may take it.
func (b *Budget) GiveBack(warmup bool) {
	if b.limit <= 0 || warmup {
		return
	}
	b.left.Add(1)
	b.wake()
}

// Wait waits, after a Take that failed, until a request comes back: it
// returns true when one may be there to take (another Take may still find
// it taken), false when the budget is spent or stop is closed.
func (b *Budget) Wait(stop <-chan struct{}) bool {
	b.mu.Lock()
	ch := b.changed
	b.mu.Unlock()
	// Looked at after ch was read: a give-back or the last Sent before
	// it shows here, one after it closes ch.
	switch {
	case b.left.Load() > 0:
		return true
	case b.Spent():
		return false
	}
	select {
	case <-ch:
		return !b.Spent()
	case <-stop:
		return false
	}
}

// wake wakes the connections in Wait.
func (b *Budget) wake() {
	b.mu.Lock()
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// Exhausted reports whether every request of the budget has been taken.
func (b *Budget) Exhausted() bool {
	return b.limit > 0 && b.left.Load() <= 0
}

// Spent reports whether every request of the budget has been sent
// (settled with Sent): none is left to take, and none is held by a
// connection that may give it back.
func (b *Budget) Spent() bool {
	return b.limit > 0 && b.unsent.Load() <= 0
}

// Gauge counts something that goes up and down (open connections, say)
// from several goroutines and remembers its peak. It is touched on connect
// and close, never per request.
type Gauge struct {
	cur, peak atomic.Int64
}

// Add adds d (which may be negative) and updates the peak.
func (g *Gauge) Add(d int64) {
	n := g.cur.Add(d)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// Load returns the current value.
func (g *Gauge) Load() int64 { return g.cur.Load() }

// Peak returns the highest value reached.
func (g *Gauge) Peak() int64 { return g.peak.Load() }
