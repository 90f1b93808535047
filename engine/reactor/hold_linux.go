package reactor

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/engine"
)

// holdShortNs is how long a held connection must have lived for the
// server's close to be reconnected at once rather than after a backoff.
const holdShortNs = int64(time.Second)

// hold is the hold model's part of a loop: connect the loop's share of
// the plan's connections on the connect schedule, keep them open (a
// connection the server drops is reconnected at once and its connect
// counted again), and, when the plan asks, send one request on each every
// interval, due from its connect on, latency counted from the due time.
//
// The first connect of plan connection j (loop j mod L, slot j div L) is
// due at schedule.Due(j); the deadlines heap holds each open connection's
// next request. No goroutine and no timer per connection.
type hold struct {
	sched   engine.Schedule // connect j of the plan is due at sched.Due(j)
	asap    bool            // no connect rate: connect every slot at once
	next    int             // the next slot to connect for the first time
	nextDue int64           // its due time, ns on the run clock
	everyNs int64           // between two requests of a connection; 0: none
	timers  deadlines       // each open connection's next request
	total   int64           // the plan's connections: all open at once is "established"
	allOpen *atomic.Int64   // shared: when all were first open at once (ns, >= 1); 0 not yet
}

// newHold returns the hold state of a loop with n slots.
func newHold(p *engine.Plan, n int, allOpen *atomic.Int64) *hold {
	h := &hold{
		asap:    p.ConnectRate <= 0,
		sched:   engine.NewSchedule(p.ConnectRate, nil),
		everyNs: int64(p.HoldEvery),
		total:   int64(p.Connections),
		allOpen: allOpen,
	}
	if h.everyNs > 0 {
		h.timers = newDeadlines(n)
	}
	return h
}

// loadNext reads the due time of the next first connect.
func (l *loop) loadNext() {
	h := l.hold
	if h.asap {
		h.nextDue = 0
		return
	}
	d, ok := h.sched.Due(int64(l.index + h.next*l.nloops))
	if !ok {
		d = math.MaxInt64
	}
	h.nextDue = d
}

// holdNextNs returns the hold model's nearest deadline, or MaxInt64.
func (l *loop) holdNextNs() int64 {
	h := l.hold
	next := int64(math.MaxInt64)
	if h.next < len(l.conns) {
		next = h.nextDue
	}
	if d, ok := h.timers.next(); ok && h.everyNs > 0 {
		next = min(next, d.ns)
	}
	return next
}

// holdTimers makes the first connects due and sends the requests due,
// none due at or after the end of the run.
func (l *loop) holdTimers() {
	h := l.hold
	limit := l.now
	if l.endNs > 0 {
		limit = min(limit, l.endNs-1)
	}
	for h.next < len(l.conns) && h.nextDue <= limit {
		l.connect(&l.conns[h.next])
		h.next++
		l.loadNext()
	}
	if h.everyNs == 0 {
		return
	}
	for {
		d, ok := h.timers.pop(limit)
		if !ok {
			return
		}
		c := &l.conns[d.slot]
		if c.state != stateOpen {
			continue // closeSocket removes a closed one's deadline; be safe
		}
		if int(c.inflight) < len(c.ring) && !c.writing() {
			l.holdSend(c, d.ns)
		} else {
			l.rec.Dropped++ // the previous requests still hold the connection
		}
		if c.state == stateOpen { // the write may have failed and reconnected
			h.timers.set(c.slot, d.ns+h.everyNs)
		}
	}
}

// holdOpened starts a new connection's request timer, and notes when the
// plan's connections were first all open at once.
func (l *loop) holdOpened(c *conn, open int64) {
	h := l.hold
	if open == h.total {
		h.allOpen.CompareAndSwap(0, max(l.now, 1))
	}
	if h.everyNs > 0 {
		h.timers.set(c.slot, l.now+h.everyNs)
	}
}

// holdSend writes one request due at due on c.
func (l *loop) holdSend(c *conn, due int64) {
	l.holdCommit(c, due)
	l.flush(c)
}

// holdCommit makes one request due at due c's pending write, stamped with
// l.now; c must have room in its ring.
func (l *loop) holdCommit(c *conn, due int64) {
	l.tick() // as commit
	tail := int(c.head + c.inflight)
	if tail >= len(c.ring) {
		tail -= len(c.ring)
	}
	l.rec.RecordSendLag(l.now - due)
	c.ring[tail] = sent{ns: l.now, due: due, req: l.mix.seq[l.pos]}
	b, next := l.mix.batch(l.pos, 1)
	l.pos = next
	if c.rx == nil {
		l.takeRx(c)
	}
	c.inflight++
	l.outstanding++
	l.rec.RecordSent(1, 0)
	c.wbuf, c.woff = b, 0
}
