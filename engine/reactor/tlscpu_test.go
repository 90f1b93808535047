//go:build linux

package reactor

import (
	"context"
	"testing"
	"time"
)

// TestHandshakeCPUServesUnderwayFirst: with the one token held, a new
// handshake asks for it, then one under way does: the token given back
// goes to the one under way, although it asked second, and only then to
// the new one. One that gave up is passed over, and a token handed to one
// as its context ends goes on to the next.
func TestHandshakeCPUServesUnderwayFirst(t *testing.T) {
	h := newHandshakeCPU(1)
	ctx := context.Background()
	if err := h.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 3)
	wait := func(name string, ctx context.Context, underway bool) {
		if err := h.acquire(ctx, underway); err == nil {
			order <- name
		} else {
			order <- name + " gave up"
		}
	}
	gaveUp, giveUp := context.WithCancel(ctx)
	go wait("quitter", gaveUp, true)
	waitQueued(t, h, 0, 1)
	go wait("new", ctx, false)
	waitQueued(t, h, 1, 1)
	go wait("underway", ctx, true)
	waitQueued(t, h, 1, 2)
	giveUp()
	if got := <-order; got != "quitter gave up" {
		t.Fatalf("first out %q", got)
	}
	h.release()
	if got := <-order; got != "underway" {
		t.Fatalf("the token went to %q first; want the handshake under way", got)
	}
	h.release()
	if got := <-order; got != "new" {
		t.Fatalf("then to %q; want the new handshake", got)
	}
	h.release()
	if h.free != 1 {
		t.Fatalf("%d tokens free of 1", h.free)
	}
}

// waitQueued waits until h has fresh new and underway waiting handshakes
// queued (those that gave up included).
func waitQueued(t *testing.T, h *handshakeCPU, fresh, underway int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		f, u := len(h.fresh.items)-h.fresh.head, len(h.underway.items)-h.underway.head
		h.mu.Unlock()
		if f == fresh && u == underway {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("waiters never queued: want %d new and %d under way", fresh, underway)
}
