//go:build linux

package reactor

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

// TestPeakCoversOpenAtEnd: loops stop one after another. Loop a stops
// with its connection open and closes it; loop b opens one more before it
// stops. Both were open at the end, each by its own loop's count, so the
// peak must say two: a loop closing at its end must not take its
// connections off the count the peak is read from.
func TestPeakCoversOpenAtEnd(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 2, 2)
	plan.Duration = time.Second
	open := new(atomic.Int64)
	share := func(cfg *loopConfig) { cfg.open = open }
	a, b := testLoop(t, plan, []int{0}, share), testLoop(t, plan, []int{0}, share)
	fakeOpen := func(l *loop) {
		c := &l.conns[0]
		c.state = stateOpen // no socket: closeSocket closes none
		l.opened(c)
	}
	fakeOpen(a)
	a.closeAll()
	fakeOpen(b)
	b.closeAll()
	res := merge(plan, engine.NewClock(), []*loop{a, b}, 0)
	if res.OpenConnsAtEnd != 2 || res.PeakOpenConns < res.OpenConnsAtEnd {
		t.Fatalf("%d open at the end, peak %d; want 2 and a peak of at least 2", res.OpenConnsAtEnd, res.PeakOpenConns)
	}
}
