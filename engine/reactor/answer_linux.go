package reactor

import (
	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// answerRun is a run of responses the loop answered in one read with the
// same status to requests written in one batch: their latencies are equal,
// so the run is recorded once (one histogram record for the 16 responses
// of a pipelined round instead of 16).
type answerRun struct {
	status  int
	due, ns int64 // the requests' intended and actual send times
	n       int   // responses in the run; 0 for none
}

// answer takes the response to the oldest request in flight off c's ring
// and adds it to the loop's run of answers. The run is recorded by
// flushAnswers, which every path that answers calls before l.now moves on.
func (l *loop) answer(c *conn) {
	s := &c.ring[c.head]
	status := c.rx.p.Status()
	switch r := &l.answers; {
	case s.due < l.warmEndNs:
		// Due in the warm-up, counted there: answered in it too.
		l.rec.RecordWarmupResponse(status)
		l.nap.observe(l.now - s.ns)
	case r.n > 0 && r.ns == s.ns && r.due == s.due && r.status == status:
		r.n++
	default:
		l.flushAnswers()
		*r = answerRun{status: status, due: s.due, ns: s.ns, n: 1}
	}
	if c.head++; int(c.head) == len(c.ring) {
		c.head = 0
	}
	c.inflight--
	l.outstanding--
	c.answered = true
	l.lastOutcomeNs = l.now
}

// flushAnswers records the run of answers, ended at l.now, and feeds its
// response time to the napper.
func (l *loop) flushAnswers() {
	r := &l.answers
	if r.n == 0 {
		return
	}
	l.rec.RecordResponses(r.status, l.now-r.due, l.now-r.ns, r.n)
	l.nap.observe(l.now - r.ns)
	r.n = 0
}

// giveBack returns the requests still in flight on c to the load model
// after a response that said Connection: close. The server processes no
// request after that one (RFC 9112, 9.6), so they did not fail: they
// count as not sent, and go again on the next connection (the closed
// model's budget gets them back; the open model's feed keeps their
// intended send times). Bytes written stay counted.
func (l *loop) giveBack(c *conn) {
	k := int(c.inflight)
	if k == 0 {
		return
	}
	for range k {
		s := &c.ring[c.head]
		measured := !l.inWarmup && s.due >= l.warmEndNs
		if !l.inWarmup && !measured {
			l.rec.Warmup.Requests-- // due in the warm-up, which has ended
			l.rec.Warmup.Resent++
		} else {
			l.rec.Requests--
			l.rec.Resent++
		}
		if l.sched != nil {
			l.sched.giveBack(s.due)
		} else if measured {
			l.feed.giveBack(1) // the budget had it; the warm-up's never did
		}
		if c.head++; int(c.head) == len(c.ring) {
			c.head = 0
		}
	}
	c.inflight = 0
	l.outstanding -= k
}

// failInFlight counts the requests in flight on c as failed with kind:
// those due in the warm-up, once it has ended, in the warm-up's counts.
func (l *loop) failInFlight(c *conn, kind stats.ErrorKind) {
	warm := 0
	if l.warmEndNs >= 0 {
		for i := range int(c.inflight) {
			j := int(c.head) + i
			if j >= len(c.ring) {
				j -= len(c.ring)
			}
			if c.ring[j].due < l.warmEndNs {
				warm++
			}
		}
	}
	l.rec.Errors[kind] += uint64(int(c.inflight) - warm)
	l.rec.Warmup.Errors[kind] += uint64(warm)
}

// consumeRead consumes a read of plain bytes after the keep carried from
// the last (l.rbuf[:keep+plain]), which brought wire bytes on the socket,
// counted already: of those, the share of responses to the warm-up's
// requests answered after it ended goes to the warm-up's count (see
// lateIn). It returns what consume does.
func (l *loop) consumeRead(c *conn, keep, plain, wire int) bool {
	warmHead := c.inflight > 0 && c.ring[c.head].due < l.warmEndNs
	l.lateIn = 0
	ok := l.consume(c, l.rbuf[:keep+plain])
	if warmHead {
		l.lateIn -= keep // counted with the read that brought them
	}
	if l.lateIn > 0 {
		l.rec.MoveReceivedToWarmup(engine.LateWarmBytes(l.lateIn, plain, wire))
	}
	return ok
}
