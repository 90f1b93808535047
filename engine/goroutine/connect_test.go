package goroutine

import (
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestConnectTimesMeasureTheHandshake: 1000 connects started at once by
// 1000 goroutines keep Go's scheduler busy for tens of milliseconds, and a
// goroutine whose connect completed waits its turn in the run queue, but
// each handshake on loopback takes well under a millisecond: the connect
// times must measure each connect, not the scheduler's backlog.
func TestConnectTimesMeasureTheHandshake(t *testing.T) {
	const n = 1000
	srv := enginetest.StartTarget(t, target.Config{})
	res := execute(t, holdPlan(t, srv.Addr(), n, 500*time.Millisecond))
	p50 := time.Duration(res.Connect.ValueAtQuantile(50)) * time.Microsecond
	lo, hi := time.Duration(res.Connect.Min())*time.Microsecond, time.Duration(res.Connect.Max())*time.Microsecond
	t.Logf("%d connects, all open in %v; connect min %v p50 %v max %v", res.Connects, res.EstablishedIn, lo, p50, hi)
	if res.Connects != n || res.EstablishedIn <= 0 {
		t.Fatalf("connects %d, established in %v; want %d, all", res.Connects, res.EstablishedIn, n)
	}
	if p50 > res.EstablishedIn/4 {
		t.Errorf("connect p50 %v against %v for the whole storm: the connect times measure the scheduler's backlog", p50, res.EstablishedIn)
	}
	if hi-lo < 10*time.Microsecond && res.EstablishedIn > time.Millisecond {
		t.Errorf("every connect took %v to %v: one stamp for the whole storm", lo, hi)
	}
}
