//go:build linux

package reactor

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPollerWaitsBelowAMillisecond: a 200 µs wait with nothing ready
// returns after about 200 µs, not at the next whole millisecond (an open-model
// request due in 200 µs would otherwise go out up to 1 ms late). The
// median of 21 waits keeps a loaded machine's outliers out.
func TestPollerWaitsBelowAMillisecond(t *testing.T) {
	p, err := newPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	events := make([]unix.EpollEvent, 4)
	var took []time.Duration
	for range 21 {
		start := time.Now()
		if _, err := p.wait(events, int64(200*time.Microsecond)); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	if p.coarse {
		t.Skip("no epoll_pwait2 on this kernel: waits round up to a millisecond")
	}
	// A signal may cut one short (the loop recomputes the time left).
	if took[10] < 190*time.Microsecond || took[10] >= time.Millisecond {
		t.Errorf("200 µs waits took a median of %v; want 200 µs to 1 ms", took[10])
	}
}
