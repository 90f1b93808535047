package engine

import (
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/stats"
)

// ConnTally keeps the connection figures of a run whose connections each
// run on their own goroutine (sync and goroutine modes): how many are open
// now and at the peak, when all the plan's connections were first open at
// once, and the first connect error, which explains a run that never
// connected. It is touched on connect and close, never per request.
type ConnTally struct {
	open       Gauge
	allOpenNs  atomic.Int64 // run clock; 0 until all were open at once
	lastOpenNs atomic.Int64 // run clock of the latest connect; 0 before the first
	firstErr   atomic.Pointer[string]
}

// Opened counts a connection opened at nowNs (run clock) and notes the
// first moment want connections were open at once.
func (t *ConnTally) Opened(nowNs int64, want int) {
	t.lastOpenNs.Store(nowNs)
	t.open.Add(1)
	if t.open.Load() >= int64(want) {
		t.allOpenNs.CompareAndSwap(0, max(nowNs, 1))
	}
}

// Closed counts a connection closed.
func (t *ConnTally) Closed() { t.open.Add(-1) }

// GivesUp reports whether a run of plan bounded only by a request count
// should give up connecting at nowNs (run clock): no connection open and
// none opened for a whole connect timeout (since the run's start when
// none ever did), the reactor's loops' rule. Its budget is spent only by
// requests, and a target that cannot be reached takes none.
func (t *ConnTally) GivesUp(plan *Plan, nowNs int64) bool {
	return plan.EndNs() == 0 && t.open.Load() <= 0 &&
		nowNs-t.lastOpenNs.Load() > int64(plan.ConnectTimeoutOrDefault())
}

// ConnectFailed keeps msg if it is the run's first connect error.
func (t *ConnTally) ConnectFailed(msg string) { t.firstErr.CompareAndSwap(nil, &msg) }

// Fill sets the result's peak of open connections, when all were first
// open, and the first connect error.
func (t *ConnTally) Fill(res *stats.Result) {
	res.PeakOpenConns = int(t.open.Peak())
	res.EstablishedIn = time.Duration(t.allOpenNs.Load())
	if p := t.firstErr.Load(); p != nil {
		res.FirstConnectErr = *p
	}
}
