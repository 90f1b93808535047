package threaded

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// serve drives requests on the open connection until the run has nothing
// left for it (true: the thread may end) or the connection must be closed
// (false: the caller closes it and reconnects, unless the run stopped).
//
// In the closed model a request is due the moment the response before it
// completed: that instant is stamped once, right after the read that
// completed it returns, and used both to end the old request's latency and
// to start the new one's, before the write. A thread the scheduler wakes
// late therefore shows the delay in its latency instead of hiding it.
func (c *conn) serve() bool {
	now := c.r.clock.Now()
	for {
		if !c.wanted(now) {
			c.drain() // the ramp closes this connection: read what is in flight first
			return c.r.stop.Load()
		}
		if !c.send(now) {
			return c.r.stop.Load()
		}
		if c.n == 0 {
			// Every response is in and the budget has nothing to take:
			// wait for a request another thread gives back, if any may be.
			if !c.r.budget.Wait(c.r.stopCh) {
				return true // the budget is spent
			}
			now = c.r.clock.Now()
			continue
		}
		var ok bool
		if now, ok = c.receive(); !ok {
			return c.r.stop.Load()
		}
	}
}

// send fills the pipeline up to its depth with requests due at now and
// writes them in one blocking write. It reports false when the run stops
// or the write fails (counted).
func (c *conn) send(now int64) bool {
	r := c.r
	if r.stop.Load() {
		return false
	}
	for c.n < r.depth && c.take(now) {
		c.enqueue(now, now < r.warmupNs)
	}
	return c.flush(now)
}

// take takes a closed-model request due at now from the budget: the one
// reserved for the connection first (reserve), then the budget's. A
// request taken is settled as sent (engine.Budget.Sent): it goes out on
// this connection, or again on the next one if the server closes first.
func (c *conn) take(now int64) bool {
	r := c.r
	warm := now < r.warmupNs
	if c.reserved {
		c.reserved = false
		if c.reservedWarm == warm {
			r.budget.Sent(warm)
			return true
		}
		// Reserved in the warm-up, sent after it: the warm-up's took
		// nothing from the budget, so this one takes its own.
	}
	if !r.budget.Take(warm) {
		return false
	}
	r.budget.Sent(warm)
	return true
}

// enqueue adds the next request of the mix, due at dueNs, to the
// pipeline, to be written by flush; warm says it is the warm-up's (it was
// taken as such: engine.Budget.Take, engine.Tickets). The caller checked
// c.n < depth.
func (c *conn) enqueue(dueNs int64, warm bool) {
	r := c.r
	idx := r.order[c.next]
	if c.next++; c.next == len(r.order) {
		c.next = 0
	}
	slot := c.slot(c.n)
	c.dueNs[slot] = dueNs
	c.reqIdx[slot] = idx
	c.warm[slot] = warm
	c.n++
	c.queued++
	c.queueBytes(idx)
}

// queueBytes adds request idx's bytes to what flush writes next.
func (c *conn) queueBytes(idx int) {
	raw := c.r.plan.Requests[idx].Raw
	if c.r.depth == 1 {
		c.out = raw
	} else {
		c.wbuf = append(c.wbuf, raw...)
		c.out = c.wbuf
	}
}

// slot returns the ring slot of the i-th oldest in-flight request.
func (c *conn) slot(i int) int {
	s := c.head + i
	if s >= c.r.depth {
		s -= c.r.depth
	}
	return s
}

// flush writes the queued requests in one blocking write, stamped as
// written at nowNs. It reports false when the write fails (counted), or
// when the closed model's run is over (see ended).
func (c *conn) flush(nowNs int64) bool {
	if c.queued == 0 {
		return true
	}
	if !c.r.paced && c.r.ended(nowNs) {
		// A closed-model request is due when written: none is due after
		// the end. (A paced one was due before it, or was not taken.)
		return false
	}
	for i := c.n - c.queued; i < c.n; i++ {
		s := c.slot(i)
		c.wroteNs[s] = nowNs
		if !c.r.paced {
			c.dueNs[s] = nowNs // the closed model: due when written, written again too
		}
	}
	// The requests count as sent once handed to write, as the reactor
	// counts them, so a failed write fails requests that were counted:
	// requests = responses + failures + in flight. Bytes count as written.
	// A write the run's stop cut short is the exception (unsend).
	k := c.queued
	warmRaw := c.countSent(k)
	out := c.out
	c.queued, c.out = 0, nil
	var n, plain int
	var err error
	if c.tls == nil {
		n, err = writeAll(c.fd, out)
		plain = n
	} else {
		plain, n, err = c.writeTLS(out) // n: the bytes of its TLS records
	}
	warmBytes := min(warmRaw, n) // the warm-up's go first: they were due first
	c.warmSentBytes += warmBytes
	c.sentBytes += n - warmBytes
	c.wbuf = c.wbuf[:0]
	if err != nil {
		if c.r.stop.Load() {
			c.unsend(k, plain)
		}
		c.failInFlight(ioKind(err, true))
		return false
	}
	return true
}

// countSent counts the k queued requests as sent, the warm-up's apart,
// and returns the plain bytes of the warm-up's.
func (c *conn) countSent(k int) int {
	warmRaw := 0
	for i := c.n - k; i < c.n; i++ {
		s := c.slot(i)
		if !c.warm[s] {
			c.sent++
			continue
		}
		c.warmSent++
		warmRaw += len(c.r.plan.Requests[c.reqIdx[s]].Raw)
	}
	return warmRaw
}

// unsend takes back, from the k requests of a write that the run's stop
// cut short after plain of their bytes, those the socket did not take
// whole: they were not sent. They are not counted (the lock that records
// the write comes later), and stay queued, not in flight: the open model
// counts them dropped (see end).
func (c *conn) unsend(k, plain int) {
	for i := c.n - k; i < c.n; i++ {
		size := len(c.r.plan.Requests[c.reqIdx[c.slot(i)]].Raw)
		if plain < size {
			for j := i; j < c.n; j++ {
				if c.warm[c.slot(j)] {
					c.warmSent--
				} else {
					c.sent--
				}
			}
			c.queued = c.n - i
			return
		}
		plain -= size
	}
}

// writeAll writes b whole on the blocking socket fd and returns the bytes
// written. SO_SNDTIMEO bounds a write that cannot progress (EAGAIN).
func writeAll(fd int, b []byte) (int, error) {
	total := 0
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return total, err
		}
		total += n
		b = b[n:]
	}
	return total, nil
}

// receive reads until at least one response completes. It returns the
// time the last read returned and whether the connection can carry more
// requests; every failure is counted before it returns false.
func (c *conn) receive() (int64, bool) {
	r := c.r
	for {
		// k bytes for the parser, wire bytes read: the same over plain
		// TCP, the TLS records' size over TLS.
		var k, wire int
		var err error
		if c.tls == nil {
			k, err = unix.Read(c.fd, c.buf[c.kept:])
			wire = k
		} else {
			k, wire, err = c.readTLS(c.buf[c.kept:])
		}
		now := r.clock.Now()
		if err == unix.EINTR {
			continue
		}
		if r.ended(now) {
			return now, false // after the end: not counted, the requests stay in flight
		}
		switch {
		case err == unix.EAGAIN:
			// SO_RCVTIMEO expired; with bytes trickling in it restarts on
			// each read, so the oldest request's own deadline decides.
			if now-c.wroteNs[c.head] < r.timeoutNs {
				continue
			}
			c.failInFlight(stats.ErrTimeout)
			return now, false
		case err != nil:
			c.failInFlight(ioKind(err, false))
			return now, false
		case k == 0:
			c.eof(now)
			return now, false
		}
		rec := c.lock(now)
		rec.RecordReceived(wire)
		carried := c.kept
		warmHead := c.lateWarm(c.head)
		got, late, ok := c.parse(rec, c.buf[:c.kept+k], now)
		if warmHead {
			late -= carried // counted with the read that brought them
		}
		rec.MoveReceivedToWarmup(engine.LateWarmBytes(late, k, wire))
		c.unlock()
		if !ok {
			return now, false
		}
		if got > 0 {
			return now, true
		}
		if now-c.wroteNs[c.head] >= r.timeoutNs {
			c.failInFlight(stats.ErrTimeout)
			return now, false
		}
	}
}

// eof handles the peer's close: it completes a body delimited by the
// close, and fails what is still in flight.
func (c *conn) eof(now int64) {
	rec := c.lock(now)
	defer c.unlock()
	done, err := c.parser.EOF()
	if done && c.n > 0 {
		c.complete(rec, now)
	}
	if err != nil || c.n > 0 {
		c.failLocked(rec, stats.ErrRead)
		return
	}
	c.serverClosed(rec) // the body ended with the connection
}

// serverClosed counts a held connection that the server ended with no
// request unanswered (see hold.go); in the other models it counts
// nothing. The caller holds the group's lock (rec).
func (c *conn) serverClosed(rec *stats.Recorder) {
	if c.r.model == engine.ModelHold {
		rec.ServerClosed++
	}
}

// parse feeds data to the parser, completing as many in-flight requests
// as it holds responses for, and keeps a partial line at the start of buf
// for the next read. It returns the responses completed, the bytes of
// data that went to warm-up requests answered (or failed) after the
// warm-up ended (lateWarm), and false when the connection must be closed
// (a bad response, a close asked by the server). The caller holds the
// group's lock (rec).
func (c *conn) parse(rec *stats.Recorder, data []byte, now int64) (got, late int, ok bool) {
	off := 0
	for c.n > 0 {
		req := &c.r.plan.Requests[c.reqIdx[c.head]]
		warm := c.lateWarm(c.head)
		n, done, err := c.parser.Parse(data[off:], req.Head())
		if warm {
			late += n
		}
		off += n
		if err != nil {
			if errors.Is(err, wire.ErrTLSRecord) {
				c.r.conns.AnsweredTLS()
			}
			if warm {
				late += len(data) - off // the failed response's
			}
			c.failLocked(rec, parseKind(err))
			return got, late, false
		}
		if !done {
			if warm {
				late += len(data) - off // kept for the rest of its response
			}
			c.kept = copy(c.buf, data[off:])
			return got, late, true
		}
		c.complete(rec, now)
		got++
		if !c.parser.KeepAlive() {
			// The server closes after this response and processes none
			// of the requests pipelined behind it (RFC 9112, 9.6): they
			// go again on the next connection.
			c.giveBack(rec)
			if c.n == 0 {
				c.serverClosed(rec)
			}
			return got, late, false
		}
	}
	c.kept = 0
	if off < len(data) {
		// Bytes nobody asked for: the stream cannot be trusted.
		rec.RecordError(stats.ErrBadResponse)
		return got, late, false
	}
	return got, late, true
}

// complete records the response to the oldest in-flight request, into
// rec, locked by the caller: its latency from when it was due, its
// service time from when it was written, and, when paced, its send lag.
func (c *conn) complete(rec *stats.Recorder, now int64) {
	switch {
	case c.lateWarm(c.head):
		rec.RecordWarmupResponse(c.parser.Status()) // latency left out
	default:
		rec.RecordResponse(c.parser.Status(), now-c.dueNs[c.head], now-c.wroteNs[c.head])
		if c.r.paced {
			c.recordLag(rec, c.head)
		}
	}
	if c.head++; c.head == c.r.depth {
		c.head = 0
	}
	c.n--
	c.answered = true
}

// recordLag records how late the request in ring slot s was written.
func (c *conn) recordLag(rec *stats.Recorder, s int) {
	rec.RecordSendLag(c.wroteNs[s] - c.dueNs[s])
}

// parseKind classifies a parser error.
func parseKind(err error) stats.ErrorKind {
	switch {
	case errors.Is(err, wire.ErrHeaderTooLarge):
		return stats.ErrHeaderTooLarge
	case errors.Is(err, wire.ErrIncomplete):
		return stats.ErrRead
	}
	return stats.ErrBadResponse
}

// giveBack queues the requests in flight again, to be written on the next
// connection, after a response that said Connection: close: the server
// processes no request after it, so they did not fail. They count as not
// sent until written again (the open model keeps when each was due).
// The caller holds the group's lock (rec).
func (c *conn) giveBack(rec *stats.Recorder) {
	written := c.n - c.queued
	if written == 0 {
		return
	}
	c.wbuf, c.out = c.wbuf[:0], nil
	for i := range c.n {
		s := c.slot(i)
		if i < written {
			// The lock that called this recorded its sends: each counts
			// in its part of the run, the warm-up's once it ended.
			if c.lateWarm(s) {
				rec.Warmup.Requests -= min(rec.Warmup.Requests, 1)
				rec.Warmup.Resent++
			} else {
				rec.Requests -= min(rec.Requests, 1)
				rec.Resent++
			}
		}
		c.queueBytes(c.reqIdx[s])
	}
	c.queued = c.n
}
