package reactor

// A request counts as sent when the loop commits it to a connection
// (commit), before the socket has taken its bytes: counting it there keeps
// the per-request path to one addition. The bytes of the requests
// committed to a connection are one contiguous batch (the mix), and a
// connection takes no new batch before the socket has taken all of the
// last, so when the run ends the bytes not written are the end of the
// last batch, and the requests they belong to are the newest in flight:
//
//	ring (oldest ... newest):  r1 r2 r3 r4 r5
//	last batch:                      r3 r4 r5
//	bytes written:             ..........|        woff
//	not sent:                            r4 r5    wholly or partly beyond woff
//
// unsendAll walks them back from the newest once, as the run ends.

// unsendAll takes back, as the loop stops, the requests whose bytes the
// socket had not all taken: they were not sent. They leave the requests
// (and the interval that counted them) and the requests in flight, and
// their send lags, recorded at commit, go; in the open model they are
// dropped (due, never sent). Called by closeAll before it reads what is in
// flight and closes the sockets.
func (l *loop) unsendAll() {
	var lags []int64 // the send lags to take back, measured ones only
	for i := range l.conns {
		c := &l.conns[i]
		rest := l.unwritten(c)
		for rest > 0 && c.inflight > 0 {
			j := int(c.head+c.inflight) - 1
			if j >= len(c.ring) {
				j -= len(c.ring)
			}
			s := c.ring[j]
			rest -= l.mix.size[s.req]
			c.inflight--
			l.outstanding--
			if measured := l.unsend(s); measured && (l.sched != nil || l.hold != nil) {
				lags = append(lags, s.ns-s.due) // recorded at commit (commit, holdCommit)
			}
		}
	}
	l.rec.UnrecordSendLags(lags)
}

// unwritten returns the bytes of c's requests that the socket has not
// taken. Over TLS it counts the plaintext not sealed yet and the
// ciphertext not written, which stands for its plaintext: a request whose
// record did not go out whole is not sent (the server cannot read a
// partial record), as its bytes beyond a record's overhead say.
func (l *loop) unwritten(c *conn) int {
	if c.state != stateOpen || c.fd < 0 {
		return 0
	}
	n := len(c.wbuf) - int(c.woff)
	if l.tls != nil && l.tls.conns[c.slot] != nil {
		n += len(l.tls.conns[c.slot].plain)
	}
	return n
}

// unsend takes s back: out of the requests of the part of the run that
// counted it (the warm-up or the measured part), and into that part's
// dropped requests in the open model. It reports whether s was in the
// measured part.
func (l *loop) unsend(s sent) bool {
	open := uint64(0)
	if l.sched != nil {
		open = 1
	}
	switch {
	case l.inWarmup:
		// The run ends in its warm-up: the owner's Finish moves what
		// the recorder holds into the warm-up's counts.
		l.rec.Requests--
		l.rec.Dropped += open
	case s.due < l.warmEndNs:
		l.rec.Warmup.Requests--
		l.rec.Warmup.Dropped += open
	default:
		l.rec.Unsend(1, s.ns-l.measuredNs)
		l.rec.Dropped += open
		if l.sched == nil && l.hold == nil {
			l.feed.giveBack(1) // the budget had it: back to the pool as the loop stops (closeAll)
		}
		return true
	}
	return false
}
