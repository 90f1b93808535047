package reactor

import (
	"context"
	"sync"
)

// handshakeCPU hands out a run's handshake tokens (see tlsLoop.cpu): as
// many handshakes compute at once as there are tokens. A token given
// back goes first to a handshake under way (one that sent its
// ClientHello and now has the server's answer to work on), then to a new
// one, each kind in the order they asked.
//
// Why not first come, first served: in a storm of connects the new
// handshakes arrive faster than the tokens finish them, and each one
// under way would wait behind the first steps of every connect that came
// while its server answered. All then finish together, late: 6,000
// connects at 3,000/s all took 4.5-4.7 s, and 10,000 ran past the 5 s
// connect timeout, so that 2,256 of them connected in 15 s against
// 9,762 in goroutine mode. Served first, a handshake under way ends
// soon after its server's answer, and the wait is the new ones'.
type handshakeCPU struct {
	mu       sync.Mutex
	free     int      // tokens no handshake holds
	underway cpuQueue // handshakes under way waiting for a token: served first
	fresh    cpuQueue // new handshakes waiting for a token
}

// newHandshakeCPU returns n tokens, all free.
func newHandshakeCPU(n int) *handshakeCPU { return &handshakeCPU{free: n} }

// cpuWaiter is one handshake waiting for a token. The fields other than
// grant change under handshakeCPU.mu.
type cpuWaiter struct {
	grant   chan struct{} // capacity 1: the token, handed over
	granted bool          // a token was sent on grant
	gone    bool          // the handshake stopped waiting: skip it
}

// cpuQueue is a first-in first-out list of waiters.
type cpuQueue struct {
	items []*cpuWaiter
	head  int
}

func (q *cpuQueue) push(w *cpuWaiter) { q.items = append(q.items, w) }

// pop returns the first waiter not gone, or nil.
func (q *cpuQueue) pop() *cpuWaiter {
	for q.head < len(q.items) {
		w := q.items[q.head]
		q.items[q.head] = nil
		q.head++
		if q.head == len(q.items) {
			q.items, q.head = q.items[:0], 0
		}
		if !w.gone {
			return w
		}
	}
	return nil
}

// acquire takes a token, waiting for one if none is free, unless ctx ends
// first. underway says the handshake has started (it is then served
// before the new ones).
func (h *handshakeCPU) acquire(ctx context.Context, underway bool) error {
	h.mu.Lock()
	if h.free > 0 {
		h.free--
		h.mu.Unlock()
		return nil
	}
	// A waiter per wait, never reused: one that gave up may still sit in
	// its queue, marked gone, until a release passes it.
	w := &cpuWaiter{grant: make(chan struct{}, 1)}
	if underway {
		h.underway.push(w)
	} else {
		h.fresh.push(w)
	}
	h.mu.Unlock()
	select {
	case <-w.grant:
		return nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	granted := w.granted
	w.gone = true
	h.mu.Unlock()
	if granted { // handed over as ctx ended: pass it on
		<-w.grant
		h.release()
	}
	return ctx.Err()
}

// release gives a token back: to the first handshake under way that
// waits, else to the first new one, else to the free tokens.
func (h *handshakeCPU) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.underway.pop()
	if w == nil {
		w = h.fresh.pop()
	}
	if w == nil {
		h.free++
		return
	}
	w.granted = true
	w.grant <- struct{}{}
}
