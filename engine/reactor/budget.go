package reactor

import (
	"sync"
	"sync/atomic"
	"time"
)

// Chunks of the shared request budget. A loop claims a chunk when its
// own claim runs out, and sizes the next by how long the last lasted
// (closedFeed.claim): doubled when it lasted less than chunkFastNs,
// halved when more than chunkSlowNs, so a loop claims one to four times
// a millisecond at most, and a slow loop holds what it sends in a
// millisecond or one request: at the end no loop holds much of the work
// while the others have none.
const (
	chunkFastNs = int64(250 * time.Microsecond)
	chunkSlowNs = int64(time.Millisecond)
	// maxChunk bounds a chunk: a loop answering 250,000 requests a
	// second claims about once a millisecond.
	maxChunk = 256
	// chunksPerLoop is how many chunks each loop's even share of the
	// budget makes at least, whatever its pace: a small budget is not
	// claimed in a few big pieces.
	chunksPerLoop = 64
)

// pool is the closed model's request budget (-n), shared by the loops of
// a run. A loop claims requests from it a chunk at a time and counts them
// down in its own feed (closedFeed), so a request costs no lock and no
// atomic; a chunk costs one lock. What a loop claimed and cannot send
// goes back to the pool for the others:
//
//	pool.left --claim--> feed.budget --take--> in flight --> answered, or failed
//	    ^                    |   ^                 |
//	    +-------put----------+   +----giveBack-----+  (Connection: close, or
//	  (the loop stops, or its connects fail        not written when the
//	   with no connection open)                    loop stops)
//
// A loop that has nothing to send or wait for while the pool is empty
// does not stop as long as another loop holds requests (claimed, or in
// flight), which it may put back: it stops when the budget is spent, left
// in the pool and held by no loop. A put wakes the loops that found the
// pool empty.
type pool struct {
	maxChunk int64 // the largest chunk a loop claims

	mu      sync.Mutex
	left    atomic.Int64 // requests no loop has claimed; written under mu, read without it
	holders int          // loops holding claimed requests (closedFeed.holding); under mu

	hungry []atomic.Bool // loop i found the pool empty and waits for a put
	wakers []waker       // loop i's wake-up, set by run once the loops are built
}

// waker wakes a loop from its wait (the loop's poller).
type waker interface{ wake() error }

// budgetState is what the pool says to a loop with nothing to send.
type budgetState uint8

const (
	budgetLeft  budgetState = iota // requests are in the pool
	budgetHeld                     // the pool is empty, but loops hold requests they may put back
	budgetSpent                    // the pool is empty and no loop holds a request: the budget is spent
)

// newPool returns the budget of total requests shared by loops loops, or
// nil for no limit (total <= 0).
func newPool(total int64, loops int) *pool {
	if total <= 0 {
		return nil
	}
	loops = max(loops, 1)
	p := &pool{
		maxChunk: min(max(total/int64(loops*chunksPerLoop), 1), maxChunk),
		hungry:   make([]atomic.Bool, loops),
		wakers:   make([]waker, loops),
	}
	p.left.Store(total)
	return p
}

// claim takes from the pool want requests, or what is left if that is
// less, and returns how many it took. joining says the claiming loop
// holds no request yet: it becomes a holder if it takes some.
func (p *pool) claim(want int64, joining bool) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(want, p.left.Load())
	if n <= 0 {
		return 0
	}
	p.left.Add(-n)
	if joining {
		p.holders++
	}
	return n
}

// put returns n requests to the pool; leaving says the loop holds no
// request any more. It wakes the loops waiting for requests when it
// brings some, and every loop when it leaves the budget spent, so that
// the loops waiting for the holders stop at once.
func (p *pool) put(n int64, leaving bool) {
	p.mu.Lock()
	p.left.Add(n)
	if leaving {
		p.holders--
	}
	spent := p.left.Load() == 0 && p.holders == 0
	p.mu.Unlock()
	for i, w := range p.wakers {
		if w != nil && (spent || n > 0 && p.hungry[i].Load()) {
			_ = w.wake() // cannot fail but by a full counter, which wakes the loop anyway
		}
	}
}

// state says whether requests are left in the pool, or held by loops, or
// the budget is spent.
func (p *pool) state() budgetState {
	if p.left.Load() > 0 {
		return budgetLeft
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.left.Load() > 0:
		return budgetLeft
	case p.holders > 0:
		return budgetHeld
	}
	return budgetSpent
}

// empty reports whether no request is left to claim.
func (p *pool) empty() bool { return p.left.Load() <= 0 }
