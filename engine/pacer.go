package engine

import "sync/atomic"

// Pacer hands out connect slots at a fixed rate, to any number of loops,
// threads or goroutines at once. The hold model's first connects follow the
// connect schedule (connect j is due at j/rate); the replacements of
// connections the server dropped take the slots after those, from a
// Pacer, so that --connect-rate bounds every connect: a target that drops
// thousands of connections at once gets them back at that rate, not in a
// storm of SYNs.
//
//	first connects: 0  1/r  2/r ... (n-1)/r | replacements: n/r, (n+1)/r, ...
//	                                          (or later: never before asked)
//
// A nil Pacer does not pace: Reserve returns its argument.
type Pacer struct {
	interval int64        // ns between two slots
	next     atomic.Int64 // the earliest slot not yet taken, ns on the run clock
}

// NewPacer returns a pacer at ratePerSec whose first slot follows the
// first connects of n connections, or nil when ratePerSec <= 0 (no pacing).
func NewPacer(ratePerSec float64, n int) *Pacer {
	if ratePerSec <= 0 {
		return nil
	}
	p := &Pacer{interval: max(int64(1e9/ratePerSec), 1)}
	p.next.Store(int64(float64(n) * 1e9 / ratePerSec))
	return p
}

// Reserve takes the earliest free slot at or after earliest (ns on the run
// clock) and returns its time; the caller connects then. Slots taken are
// at least one interval apart.
func (p *Pacer) Reserve(earliest int64) int64 {
	if p == nil {
		return earliest
	}
	for {
		next := p.next.Load()
		t := max(earliest, next)
		if p.next.CompareAndSwap(next, t+p.interval) {
			return t
		}
	}
}
