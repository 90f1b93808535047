package reactor

import (
	"math"

	"github.com/nowait/nowait/engine"
)

// hold is the hold model's part of a loop: connect the loop's share of
// the plan's connections on the connect schedule, keep them open (a
// connection the server drops is reconnected at once and its connect
// counted again), and, when the plan asks, send one request on each every
// interval, due from its connect on, latency counted from the due time.
//
// The first connect of plan connection j (loop j mod L, slot j div L) is
// due at schedule.Due(j); with a connect rate, a replacement waits for the
// next free slot of a pacer shared by the loops, in a queue ordered by
// slot. The deadlines heap holds each open connection's next request. No
// goroutine and no timer per connection.
type hold struct {
	sched   engine.Schedule // connect j of the plan is due at sched.Due(j)
	replace *engine.Pacer   // the replacements' connect slots; nil without a connect rate
	waiting []replacement   // replacements waiting for their slots, earliest first
	waitAt  int             // the first of waiting still waiting
	asap    bool            // no connect rate: connect every slot at once
	next    int             // the next slot to connect for the first time
	nextDue int64           // its due time, ns on the run clock
	everyNs int64           // between two requests of a connection; 0: none
	timers  deadlines       // each open connection's next request
}

// replacement is a connection waiting to be opened again at due.
type replacement struct {
	due  int64
	slot int32
}

// newHold returns the hold state of a loop with n slots; replace paces
// the replacements of all loops (nil: none).
func newHold(p *engine.Plan, n int, replace *engine.Pacer) *hold {
	h := &hold{
		asap:    p.ConnectRate <= 0,
		sched:   engine.NewSchedule(p.ConnectRate, nil),
		replace: replace,
		everyNs: int64(p.HoldEvery),
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
	if h.waitAt < len(h.waiting) {
		next = min(next, h.waiting[h.waitAt].due)
	}
	return next
}

// holdReplace makes c wait for the next free connect slot at or after
// earliest. The sweep would open it too once due; the queue opens it on
// time.
func (l *loop) holdReplace(c *conn, earliest int64) {
	h := l.hold
	due := h.replace.Reserve(earliest)
	c.state, c.dueNs = stateBackoff, due
	if h.waitAt == len(h.waiting) {
		h.waiting, h.waitAt = h.waiting[:0], 0
	}
	h.waiting = append(h.waiting, replacement{due: due, slot: c.slot})
}

// holdReplaceDue opens the waiting replacements whose slots have come.
// Slots rise in the order they are taken, so the queue stays ordered; an
// entry whose connection was opened meanwhile (by the sweep) is skipped.
func (l *loop) holdReplaceDue() {
	h := l.hold
	for h.waitAt < len(h.waiting) && h.waiting[h.waitAt].due <= l.now {
		w := h.waiting[h.waitAt]
		h.waitAt++
		if c := &l.conns[w.slot]; c.state == stateBackoff && c.dueNs == w.due {
			l.connect(c)
		}
	}
}

// holdTimers makes the first connects due and sends the requests due,
// none due at or after the end of the run.
func (l *loop) holdTimers() {
	h := l.hold
	limit := l.now
	if l.endNs > 0 {
		limit = min(limit, l.endNs-1)
	}
	// At most connectBatch connects a turn, so that each completes in
	// time to be seen (see connectBatch); the rest are due already, and
	// the loop turns again without waiting.
	for k := 0; k < connectBatch && h.next < len(l.conns) && h.nextDue <= limit; k++ {
		l.connect(&l.conns[h.next])
		h.next++
		l.loadNext()
	}
	l.holdReplaceDue()
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

// holdOpened starts a new connection's request timer.
func (l *loop) holdOpened(c *conn) {
	h := l.hold
	if h.everyNs > 0 {
		h.timers.set(c.slot, l.now+h.everyNs)
	}
}

// holdSend writes one request due at due on c.
func (l *loop) holdSend(c *conn, due int64) {
	l.holdCommit(c, due)
	if l.tls != nil {
		l.sendTLS(c)
		return
	}
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
	warm := due < l.warmEndNs // due in the warm-up, which has ended: the warm-up's, late
	if !warm {
		l.rec.RecordSendLag(l.now - due)
	}
	c.ring[tail] = sent{ns: l.now, due: due, req: l.mix.seq[l.pos]}
	b, next := l.mix.batch(l.pos, 1)
	l.pos = next
	if c.rx == nil {
		l.takeRx(c)
	}
	c.inflight++
	l.outstanding++
	if warm {
		l.rec.Warmup.Requests++
	} else {
		l.rec.RecordSent(1, 0)
	}
	c.wbuf, c.woff = b, 0
}
