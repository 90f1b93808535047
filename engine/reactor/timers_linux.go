package reactor

import (
	"fmt"
	"time"

	"github.com/nowait/nowait/stats"
)

// The loop's clock work: how long to wait, the one-second ticks, and the
// timers that run what is due (warm-up end, timeouts, reconnects, the
// planned end).

// waitNs returns epoll_wait's timeout: until the nearest deadline.
func (l *loop) waitNs() int64 {
	if l.firstConn < l.want && !l.stopping && !l.feed.exhausted() {
		return 0 // first connects are waiting for their turn
	}
	if l.feed.starved && !l.feed.pool.empty() {
		return 0 // requests came back to the pool after the loop last looked (refill)
	}
	next := min(l.nextSweep, l.nextTick)
	if l.endNs > 0 {
		next = min(next, l.endNs)
	}
	if l.ramp != nil {
		next = min(next, l.nextRamp)
	}
	if l.hold != nil {
		next = min(next, l.holdNextNs())
	}
	if l.sched != nil && !l.backlog {
		if due, ok := l.sched.nextDue(); ok {
			next = min(next, due)
		}
	}
	return max(next-l.clock.Now(), 0)
}

// tick ends the warm-up and closes the intervals due once their boundary
// has passed, at the boundaries themselves, so every loop's intervals
// align. The loop ticks as soon as it reads a clock past a boundary and
// before it writes a batch, so a request belongs to the part it was
// written in, and its response to the same part.
func (l *loop) tick() {
	if l.now < l.nextTick {
		return
	}
	l.tl.Advance(l.now, l.nOpen)
	if l.inWarmup && !l.tl.Warm() {
		l.inWarmup = false
		l.warmEndNs = l.measuredNs // every request due before it is the warm-up's
	}
	for l.nextTick <= l.now {
		l.nextTick += tickNs
	}
}

// timers runs what is due: the end of the warm-up, the one-second
// interval ticks, the sweep for timeouts and reconnects, the end of the
// run. The sweep walks the connections (no per-request timer to insert or
// cancel): a request times out at most one sweep period late.
func (l *loop) timers() {
	now := l.now
	l.tick()
	l.connectFirst()
	if l.over() {
		// Nothing is counted after the planned end, as in every mode: no
		// timeout, reconnect or response. The open model's requests due
		// before it go out, late, and stay in flight.
		l.pump()
		l.stopping = true
		return
	}
	if l.ramp != nil && now >= l.nextRamp {
		l.followRamp()
		l.nextRamp = now + rampStepNs
	}
	if l.hold != nil && !l.stopping {
		l.holdTimers()
	}
	if now >= l.nextSweep {
		l.sweep()
		l.nextSweep = now + l.sweepNs
	}
}

// over reports whether the run's planned end has passed, as of l.now. From
// then on the loop counts no response, as every mode does (a response
// that arrives after the end leaves its request in flight), and starts no
// closed-model request (one is due when written).
func (l *loop) over() bool {
	return l.endNs > 0 && l.now >= l.endNs
}

// sweep fails requests and connects that have timed out and reconnects
// the slots whose backoff has passed; a slow loop puts back requests of
// the budget it claimed and has not started (closedFeed.trim).
func (l *loop) sweep() {
	l.feed.trim(l.now)
	for i := range l.conns {
		c := &l.conns[i]
		switch c.state {
		case stateConnecting:
			if l.now-c.dueNs >= l.connTimeoutNs {
				l.fail(c, stats.ErrConnectTimeout, errConnectTimeout(l.connTimeoutNs))
			}
		case stateOpen:
			if c.inflight > 0 && l.now-c.ring[c.head].ns >= l.timeoutNs {
				l.fail(c, stats.ErrTimeout, nil)
				l.lastOutcomeNs = l.now // an outcome all the same: the run is not stuck
			}
		case stateBackoff:
			if l.now >= c.dueNs && !l.stopping && !l.feed.exhausted() && !l.retired(c) {
				l.connect(c)
			}
		}
	}
}

// errConnectTimeout explains a connect that took too long.
type errConnectTimeout int64

func (e errConnectTimeout) Error() string {
	return fmt.Sprintf("no answer within %v", time.Duration(e))
}
