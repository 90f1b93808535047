package goroutine

import (
	"time"

	"github.com/nowait/nowait/stats"
)

// A slot's connection between requests: the connect backoff after it
// ends (engine.Retry, the rule of every mode), and what comes on it while
// it is idle, looked at before a request that waited for its due time.

// idleRead bounds the read of what a look at an idle socket found: over
// plain TCP it is there at once; over TLS a record may still be arriving.
const idleRead = 10 * time.Millisecond

// markAnswered notes a response on the slot's connection: its end, when
// it comes, ends the slot's failures in a row (engine.Retry.Ended). A load
// and no store once noted: it is called on every response.
func (s *slot) markAnswered() {
	if !s.answered.Load() {
		s.answered.Store(true)
	}
}

// pending reports whether something waits to be read on the slot's open
// connection (bytes, the server's FIN or a reset) without reading it or
// waiting: one non-blocking peek at the socket. Its owner calls it before
// a request on a connection that waited idle for it (see checkIdle and
// holder.hold).
func (s *slot) pending() bool {
	s.mu.Lock()
	tcp, raw := s.tcp, s.raw
	s.mu.Unlock()
	if raw == nil {
		return false
	}
	// RawConn.Read refuses to run once the read deadline has passed.
	if tcp.SetReadDeadline(time.Time{}) != nil {
		return true // closed under us: the read says how
	}
	s.looked = false
	if err := raw.Read(s.look); err != nil {
		return true
	}
	return s.looked
}

// checkIdle deals with what came on the slot's connection, idle in
// fasthttp's pool, while the request about to go on it waited for its due
// time (the open model): the server's close, or bytes nobody asked for
// (one bad response). Either closes the connection, and the request goes
// on a new one, as the other modes send it, rather than into the closed
// one, where it would fail. HostClient itself looks only by writing the
// request. A look is one non-blocking peek (pending); only what it finds
// is read.
func (s *slot) checkIdle() {
	if s.host == nil || !s.pending() {
		return
	}
	s.mu.Lock()
	nc := s.nc
	s.mu.Unlock()
	if nc == nil {
		return
	}
	_ = nc.SetReadDeadline(time.Now().Add(idleRead)) // fasthttp sets its own before it reads
	n, err := nc.Read(s.peekBuf[:])
	switch {
	case n > 0:
		s.stray()
	case isTimeout(err):
		return // a TLS record that carries no HTTP: the connection serves on
	}
	s.host.CloseIdleConnections()
}

// stray counts bytes that came on the slot's connection with no request
// waiting as one bad response (the server broke HTTP/1.1; the connection
// is closed), unless they came after the end or the stop, which counts
// nothing, as in every mode.
func (s *slot) stray() {
	r := s.r
	now := r.clock.Now()
	if r.stopped() || r.pastPlannedEnd(now) {
		return
	}
	rec := s.g.Lock(now)
	s.drain(rec)
	rec.RecordError(stats.ErrBadResponse)
	s.g.Unlock()
}

// connectAtLocked counts the end of the slot's last connection in its
// backoff, once, and returns the run-clock time before which the slot
// must not connect. The caller holds g's lock.
func (s *slot) connectAtLocked() int64 {
	if s.ended {
		s.ended = false
		if wait := s.retry.Ended(s.answered.Load(), s.closedNs-s.openNs); wait > 0 {
			s.retryNs = s.closedNs + int64(wait)
		}
	}
	return s.retryNs
}

// connectAt is connectAtLocked for a caller at nowNs without the lock.
func (s *slot) connectAt(nowNs int64) int64 {
	s.g.Lock(nowNs)
	defer s.g.Unlock()
	return s.connectAtLocked()
}

// awaitConnect waits, while the slot has no connection open, until it may
// connect again: the backoff after a failed connect, or after a
// connection that ended before it proved the target serves
// (engine.Retry). It reports whether it waited, and ok false when the run
// stopped meanwhile or gives up on the target (engine.ConnTally.GivesUp),
// now or by the end of the wait, which the give-up cuts short. With a
// connection open it costs one atomic load.
func (s *slot) awaitConnect(t **time.Timer) (waited, ok bool) {
	if s.opened.Load() {
		return false, true
	}
	r := s.r
	now := r.clock.Now()
	at := s.connectAt(now)
	if at <= now {
		return false, true
	}
	if r.conns.GivesUp(r.plan, now) {
		return false, false
	}
	return true, r.waitUntil(t, r.conns.RetryNs(r.plan, now, time.Duration(at-now))) &&
		!r.conns.GivesUp(r.plan, r.clock.Now())
}
