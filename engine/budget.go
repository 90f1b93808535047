package engine

import "sync/atomic"

// Budget is a request budget shared by the connections of a run: the
// plan's MaxRequests, taken one request at a time. Engines whose
// connections each run on their own goroutine (sync, goroutine) share one;
// it costs one atomic add per request, which is acceptable for those
// baseline modes but not on the reactor's hot path.
type Budget struct {
	limit int64
	taken atomic.Int64
}

// NewBudget returns a budget of limit requests; limit <= 0 means no limit.
func NewBudget(limit int64) *Budget {
	return &Budget{limit: limit}
}

// Take takes one request from the budget and reports whether it may be
// sent. Requests of the warm-up are not taken from the budget.
func (b *Budget) Take(warmup bool) bool {
	if b.limit <= 0 || warmup {
		return true
	}
	return b.taken.Add(1) <= b.limit
}

// Exhausted reports whether every request of the budget has been taken.
func (b *Budget) Exhausted() bool {
	return b.limit > 0 && b.taken.Load() >= b.limit
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
