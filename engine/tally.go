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

// Stalled reports whether, at nowNs (run clock), no connection is open
// and none has opened for more than limitNs (since the run's start when
// none ever did). A run bounded only by a request count gives up then, as
// the reactor's loops do: its budget is spent only by requests, and a
// target that cannot be reached takes none.
func (t *ConnTally) Stalled(nowNs, limitNs int64) bool {
	return t.open.Load() <= 0 && nowNs-t.lastOpenNs.Load() > limitNs
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
