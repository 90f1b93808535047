package threaded

import (
	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/stats"
)

// The hold model in sync mode: each thread opens its connection when its
// paced connect is due (see awaitTurn), then keeps it. Without HoldEvery
// the thread blocks in read, which returns only when the server drops the
// connection (counted, then reconnected) or the run stops (the stopper
// shuts the socket down). With HoldEvery it sleeps between requests, one
// every HoldEvery from the connect, each due at its own slot:
//
//	connect ── every ──> req 1 ── every ──> req 2 ── every ──> ...
//	          (due)                (due, even if req 1 was slow)
//
// so a slow answer never pushes the schedule back: a slot that comes due
// while the previous request is still in flight is counted as Dropped, as
// the reactor counts it, and the next request goes out on its own slot.

// hold keeps the open connection. It returns true when the thread may end
// (the run stopped) and false when the connection was lost and must be
// closed and reconnected; every loss is counted before it returns.
func (c *conn) hold() bool {
	r := c.r
	if r.everyNs == 0 {
		return c.idle()
	}
	due := r.clock.Now()
	for {
		due += r.everyNs
		if r.endNs > 0 && due >= r.endNs {
			return c.idle() // due after the end: hold until the stop
		}
		if !c.sleepUntil(due) {
			return true
		}
		if !r.budget.Take(due < r.warmupNs) {
			return c.idle() // the request count is spent: just hold
		}
		c.enqueue(due)
		if !c.drain() {
			return r.stop.Load()
		}
		// Slots that came due while this request was in flight are
		// dropped, as the reactor drops them: the next goes out on time.
		if missed := (r.clock.Now() - due - 1) / r.everyNs; missed > 0 {
			due += missed * r.everyNs
			c.lock(r.clock.Now()).Dropped += uint64(missed)
			c.unlock()
		}
	}
}

// idle blocks in read on a connection with nothing in flight until the
// server closes it or the run stops (true). A close, a reset or bytes
// nobody asked for are counted, and it returns false.
func (c *conn) idle() bool {
	r := c.r
	for {
		var k, wire int
		var err error
		if c.tls == nil {
			k, err = unix.Read(c.fd, c.buf)
		} else {
			// Through TLS: records that carry no HTTP (the close_notify
			// alert before the server's FIN, session tickets) are not
			// bytes nobody asked for, but they went on the wire: counted
			// in the bytes in (wire), as the handshake's are.
			k, wire, err = c.readTLS(c.buf)
		}
		if r.stop.Load() || r.ended(r.clock.Now()) {
			return true
		}
		var kind stats.ErrorKind
		switch {
		case err == unix.EINTR, err == unix.EAGAIN:
			continue // a signal, or SO_RCVTIMEO: keep holding
		case err != nil:
			kind = ioKind(err, false)
		case k == 0:
			kind = stats.ErrRead // the server closed the connection
		default:
			kind = stats.ErrBadResponse // bytes nobody asked for
		}
		rec := c.lock(r.clock.Now())
		rec.RecordError(kind)
		rec.RecordReceived(wire)
		c.unlock()
		return false
	}
}
