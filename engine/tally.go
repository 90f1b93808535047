package engine

import (
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/stats"
)

// ConnTally keeps the connection figures of a run whose connections each
// run on their own goroutine (sync and goroutine modes): how many are open
// now and at the peak, when all the plan's connections (Plan.AllOpenConns)
// were first open at once, and the first connect error, which explains a
// run that never connected. It is touched on connect and close, and on a
// response that was a TLS record, never per request.
type ConnTally struct {
	open       Gauge
	allOpenNs  atomic.Int64 // run clock; 0 until all were open at once
	lastOpenNs atomic.Int64 // run clock of the latest connect or close: when a connection was last open; 0 before the first
	firstErr   atomic.Pointer[string]
	httpToTLS  atomic.Bool // a response began with a TLS record (wire.ErrTLSRecord)
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

// Closed counts a connection closed at nowNs (run clock): it was open
// until then, so the target was reachable (see GivesUp).
func (t *ConnTally) Closed(nowNs int64) {
	t.lastOpenNs.Store(nowNs)
	t.open.Add(-1)
}

// GivesUp reports whether a run of plan bounded only by a request count
// should give up connecting at nowNs (run clock): no connection open and
// none open for a whole connect timeout (since the run's start when none
// ever was), the reactor's loops' rule: a connection that opened and then
// failed its request (a timeout, a reset) shows the target reachable. Its budget is spent only by
// requests, and a target that cannot be reached takes none.
func (t *ConnTally) GivesUp(plan *Plan, nowNs int64) bool {
	return plan.EndNs() == 0 && t.open.Load() <= 0 &&
		nowNs-t.lastOpenNs.Load() > int64(plan.ConnectTimeoutOrDefault())
}

// RetryNs returns when a connection whose connect failed at nowNs (run
// clock) tries again after a backoff of wait: nowNs+wait, or the moment
// GivesUp turns true if that comes first, so that a long backoff does not
// hold back the run's give-up. The caller asks GivesUp again when it
// wakes.
func (t *ConnTally) RetryNs(plan *Plan, nowNs int64, wait time.Duration) int64 {
	at := nowNs + int64(wait)
	if plan.EndNs() == 0 && t.open.Load() <= 0 {
		at = min(at, t.lastOpenNs.Load()+int64(plan.ConnectTimeoutOrDefault())+1)
	}
	return at
}

// ConnectFailed keeps msg if it is the run's first connect error.
func (t *ConnTally) ConnectFailed(msg string) { t.firstErr.CompareAndSwap(nil, &msg) }

// AnsweredTLS notes that a response began with a TLS record: the server
// speaks TLS and the URL said http (Result.HTTPToTLS).
func (t *ConnTally) AnsweredTLS() { t.httpToTLS.Store(true) }

// Fill sets the result's peak of open connections, when all were first
// open (see EstablishedBy) in a run that ended at endNs (run clock), the
// first connect error, and whether a response was a TLS record.
func (t *ConnTally) Fill(res *stats.Result, endNs int64) {
	res.PeakOpenConns = int(t.open.Peak())
	res.EstablishedIn = EstablishedBy(t.allOpenNs.Load(), endNs)
	if p := t.firstErr.Load(); p != nil {
		res.FirstConnectErr = *p
	}
	res.HTTPToTLS = t.httpToTLS.Load()
}

// EstablishedBy returns Result.EstablishedIn, in every mode and model:
// allOpenNs, the first moment the plan's connections were all open at
// once (run clock, from the start of the run, warm-up included; 0 if
// never), when it came by endNs, the run's end, and 0 otherwise. A connect
// that completes while the run stops (a SYN sent again, a thread late to
// see the stop) is not the run's.
func EstablishedBy(allOpenNs, endNs int64) time.Duration {
	if allOpenNs <= 0 || allOpenNs > endNs {
		return 0
	}
	return time.Duration(allOpenNs)
}
