package threaded

import (
	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/stats"
)

// The hold model in sync mode: each thread opens its connection when its
// paced connect is due (see awaitTurn), then keeps it. Without HoldEvery
// the thread blocks in read, which returns only when the server drops the
// connection (counted, then reconnected) or the run stops (the stopper
// shuts the socket down). With HoldEvery it waits between requests on the
// socket as well as the stop (restUntil), one request every HoldEvery from
// the connect, each due at its own slot:
//
//	connect ── every ──> req 1 ── every ──> req 2 ── every ──> ...
//	          (due)                (due, even if req 1 was slow)
//
// so a slow answer never pushes the schedule back: a slot that comes due
// while the previous request is still in flight is counted as Dropped, as
// the reactor counts it, and the next request goes out on its own slot.
//
// A connection the server ends with no request unanswered (a FIN or a
// reset while idle, the close after a response) is counted as closed by
// the server (stats.Counters.ServerClosed), as in every mode, and
// reconnected: no request failed. A close with a request in flight fails
// it, as in the other models.

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
		switch c.restUntil(due) {
		case restStop:
			return true
		case restLost:
			return false
		}
		warm := due < r.warmupNs
		if !r.budget.Take(warm) {
			return c.idle() // the request count is spent: just hold
		}
		c.enqueue(due, warm)
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
// server closes it or the run stops (true). How it ended is counted (see
// lost), and it returns false.
func (c *conn) idle() bool {
	r := c.r
	for {
		var k, wire int
		var err error
		if c.tls == nil {
			k, err = unix.Read(c.fd, c.buf)
			if err != nil {
				k = 0 // the system call's -1
			}
			wire = k
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
		if err == unix.EINTR || err == unix.EAGAIN {
			continue // a signal, or SO_RCVTIMEO: keep holding
		}
		c.lost(k, wire, err)
		return false
	}
}

// rest is how a held connection's wait for its next request ended.
type rest uint8

const (
	restDue  rest = iota // the request is due
	restStop             // the run stopped
	restLost             // the connection ended, counted
)

// restUntil waits, with nothing in flight, until dueNs, the run's stop or
// the end of the connection, whichever comes first. The thread sleeps in
// ppoll on the stop eventfd and on the socket, so that a server closing
// the idle connection is seen when it closes (counted as such, see lost),
// as the reactor and the goroutine mode see it, not by the next request,
// which would fail on the closed connection.
//
// The socket is polled at least once, even when the thread comes late to
// a request already due: a close that came before is seen, and counted
// as such, before the request is written.
func (c *conn) restUntil(dueNs int64) rest {
	r := c.r
	for !r.stop.Load() {
		d := max(dueNs-r.clock.Now(), 0)
		c.pollTs = unix.NsecToTimespec(d)
		c.pollFd[0] = unix.PollFd{Fd: int32(r.stopFd), Events: unix.POLLIN}
		c.pollFd[1] = unix.PollFd{Fd: int32(c.fd), Events: unix.POLLIN | unix.POLLRDHUP}
		n, err := unix.Ppoll(c.pollFd[:], &c.pollTs, nil)
		switch {
		case err != nil && err != unix.EINTR:
			return restStop // ppoll on two valid fds cannot fail otherwise; never spin
		case n <= 0 && r.clock.Now() >= dueNs:
			return restDue // nothing came before the due time
		case n <= 0:
			continue // a signal, or woken a hair early
		case c.pollFd[0].Revents != 0:
			return restStop // the stop eventfd is readable
		}
		k, wire, err := c.readNow()
		if r.stop.Load() || r.ended(r.clock.Now()) {
			return restStop
		}
		if err == unix.EINTR || err == unix.EAGAIN {
			continue // records that carry no HTTP (https: session tickets), or a signal
		}
		c.lost(k, wire, err)
		return restLost
	}
	return restStop
}

// readNow reads what made the idle socket readable without waiting for
// more: the bytes for the parser and on the wire, as idle reads them. A
// plain socket that polled readable returns at once; over TLS the socket
// is made non-blocking for the read, so that records carrying no HTTP
// (session tickets) end in EAGAIN, which crypto/tls hands back without
// failing the connection, rather than in a wait for more.
func (c *conn) readNow() (k, wire int, err error) {
	if c.tls == nil {
		k, err = unix.Read(c.fd, c.buf)
		if err != nil {
			return 0, 0, err
		}
		return k, k, nil
	}
	if err := unix.SetNonblock(c.fd, true); err != nil {
		return 0, 0, err
	}
	k, wire, err = c.readTLS(c.buf)
	if berr := unix.SetNonblock(c.fd, false); berr != nil && err == nil {
		err = berr
	}
	return k, wire, err
}

// lost counts how a held connection with nothing in flight ended, from
// what its read returned: the server's close (end of file, or a reset) as
// closed by the server, not an error, since no request failed; bytes
// nobody asked for as a bad response; another failure by its kind.
func (c *conn) lost(k, wire int, err error) {
	rec := c.lock(c.r.clock.Now())
	switch {
	case err == nil && k == 0, err != nil && ioKind(err, false) == stats.ErrReset:
		c.serverClosed(rec)
	case err != nil:
		rec.RecordError(ioKind(err, false))
	default:
		rec.RecordError(stats.ErrBadResponse)
	}
	rec.RecordReceived(wire)
	c.unlock()
}
