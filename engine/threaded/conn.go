package threaded

import (
	"crypto/tls"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// conn is one connection and the thread that drives it. Everything but fd
// is owned by that thread until it ends; fd is shared with the stopper,
// under mu, so a stop can shut down a socket a thread is blocked on
// without ever touching a descriptor number that was closed and reused.
type conn struct {
	r      *run
	id     int
	g      *engine.RecorderGroup // shared with other connections, locked once per round trip
	parser wire.Parser
	buf    []byte // read buffer; buf[:kept] is a partial line kept for the parser
	kept   int
	wbuf   []byte // pipelined requests written in one write
	next   int    // position in r.order of the next request to send

	// In-flight requests, oldest first, in a ring of r.depth slots: when
	// each was due, when it was written, which request it is and whether
	// it is the warm-up's (due in it: its response and failure are the
	// warm-up's too). The last queued of the n are not written yet (see
	// enqueue and flush).
	dueNs   []int64
	wroteNs []int64
	reqIdx  []int
	warm    []bool
	head    int
	n       int
	queued  int
	out     []byte // the queued requests' bytes: a request's Raw, or wbuf

	// Open model: a ticket taken and not yet queued, and when it is due.
	pending bool
	pendDue int64

	// The ppoll arguments of sleepUntil (the stop eventfd) and restUntil
	// (and the socket), kept here so a sleep allocates nothing.
	pollFd [2]unix.PollFd
	pollTs unix.Timespec

	// Requests written and not yet recorded: recorded with the next
	// response, under the same lock; those of the warm-up apart, since
	// that lock may come after the warm-up ended.
	sent, sentBytes         int
	warmSent, warmSentBytes int

	answered bool // a response arrived on this connection (engine.Retry.Ended)

	// Closed model: a request of the budget taken for the next connection
	// before it opens (reserve), and whether it was taken in the warm-up.
	reserved, reservedWarm bool

	mu sync.Mutex // guards fd between the owner thread and the stopper
	fd int        // the socket, or -1

	// https: the TLS session the connection reads and writes through (nil
	// for http, and while not connected) over sock, the socket as a
	// net.Conn (see tls.go).
	tls  *tls.Conn
	sock sockConn

	// Set by the thread when it ends, read after the join.
	openAtEnd     int
	inFlightAtEnd int
	unsentAtEnd   int // queued, never written: the open model counts them dropped
}

func newConn(r *run, id int, g *engine.RecorderGroup) *conn {
	c := &conn{
		r:       r,
		id:      id,
		g:       g,
		buf:     make([]byte, r.bufSize),
		dueNs:   make([]int64, r.depth),
		wroteNs: make([]int64, r.depth),
		reqIdx:  make([]int, r.depth),
		warm:    make([]bool, r.depth),
		next:    id % len(r.order),
		fd:      -1,
	}
	c.parser.SetMaxHeaderBytes(r.plan.MaxHeaderBytesOrDefault())
	if r.depth > 1 {
		most := 0
		for i := range r.plan.Requests {
			most = max(most, len(r.plan.Requests[i].Raw))
		}
		c.wbuf = make([]byte, 0, most*r.depth)
	}
	return c
}

// lock locks the connection's group at now and records the requests
// written since the last lock; the caller records and calls unlock.
func (c *conn) lock(now int64) *stats.Recorder {
	rec := c.g.Lock(now)
	if c.sent > 0 || c.sentBytes > 0 { // bytes alone: a write the stop cut short (unsend)
		rec.RecordSent(c.sent, c.sentBytes)
		c.sent, c.sentBytes = 0, 0
	}
	if c.warmSent > 0 || c.warmSentBytes > 0 {
		if c.g.Warm() {
			rec.RecordSent(c.warmSent, c.warmSentBytes) // the warm-up's end moves them
		} else {
			rec.RecordWarmupSent(c.warmSent, c.warmSentBytes)
		}
		c.warmSent, c.warmSentBytes = 0, 0
	}
	return rec
}

// lateWarm reports whether the in-flight request in ring slot s is the
// warm-up's while the group has left the warm-up: what happens to it now
// is counted in the warm-up's counts. The caller holds the group's lock.
func (c *conn) lateWarm(s int) bool { return c.warm[s] && !c.g.Warm() }

func (c *conn) unlock() { c.g.Unlock() }

// loop is the thread's life, on a goroutine locked to its thread: wait
// for its turn (a ramp, a paced connect), connect, serve requests (or hold
// the connection) until it fails or the run ends, reconnect: after the
// backoff when the connect failed, or the connection ended before it
// proved the target serves (engine.Retry).
func (c *conn) loop() {
	var retry engine.Retry
	first := true
	for !c.r.stopped() && !c.done() {
		if !c.awaitTurn(first) || !c.reserve() {
			break
		}
		first = false
		if !c.connect() {
			c.unreserve() // for a thread that can connect
			if !c.backOff(retry.ConnectFailed()) {
				break
			}
			continue
		}
		openNs := c.r.clock.Now()
		if c.drive() {
			break
		}
		c.close()
		if wait := retry.Ended(c.answered, c.r.clock.Now()-openNs); wait > 0 && !c.backOff(wait) {
			break
		}
	}
	c.end()
}

// end is the thread's last step: it notes what is in flight and open, and
// closes the socket. A connection open at the end stays counted open in
// the run's tally: threads end one after another, and one that took its
// connection off the count would make room, under the peak, for another's
// last connect, so that the open connections at the end (summed over the
// threads) could exceed the peak.
func (c *conn) end() {
	c.unreserve()
	if c.r.stop.Load() {
		c.inFlightAtEnd = c.n - c.queued
		c.unsentAtEnd = c.queued
	}
	c.lock(c.r.clock.Now()) // records the requests written since the last lock
	c.unlock()
	if c.fd >= 0 {
		c.openAtEnd = 1
		c.closeConn(true)
	}
}

// done reports whether the thread has nothing left to send: nothing
// queued or reserved, and the budget spent (closed model: every request
// taken is sent; a request a thread gives back is not) or, in the other
// models, all taken.
func (c *conn) done() bool {
	if c.n > 0 || c.reserved {
		return false
	}
	if c.r.model == engine.ModelClosed {
		return c.r.budget.Spent()
	}
	return c.r.budget.Exhausted()
}

// reserve takes, in the closed model, the request the next connection
// will send first, before it opens: a thread reconnects only when the
// budget has a request for it (a server that closes after every response
// would otherwise see a reconnect that another thread's request beat to
// the last one). When none is left while other threads hold requests
// they may give back (their connects failed), it waits for one. It
// reports false when the budget is spent or the run stopped. The other
// models reserve nothing.
func (c *conn) reserve() bool {
	r := c.r
	if c.n > 0 || c.reserved || r.model != engine.ModelClosed {
		return true
	}
	for {
		warm := r.clock.Now() < r.warmupNs
		if r.budget.Take(warm) {
			c.reserved, c.reservedWarm = true, warm
			return true
		}
		if !r.budget.Wait(r.stopCh) {
			return false
		}
	}
}

// unreserve gives the reserved request back to the budget: the
// connection did not open, or the thread ends.
func (c *conn) unreserve() {
	if c.reserved {
		c.reserved = false
		c.r.budget.GiveBack(c.reservedWarm)
	}
}

// awaitTurn waits until the connection should connect: at once, except
// when a ramp does not want it yet, or for a hold's paced connects (the
// first on the connect schedule, a replacement on the next free slot).
// It reports false when the run stopped, or will never want it.
func (c *conn) awaitTurn(first bool) bool {
	switch {
	case c.r.ramp != nil:
		return c.awaitWanted()
	case c.r.model != engine.ModelHold || c.r.plan.ConnectRate <= 0:
		return true
	case first:
		due, ok := c.r.connects.Due(int64(c.id))
		return ok && c.sleepUntil(due)
	}
	return c.sleepUntil(c.r.replace.Reserve(c.r.clock.Now()))
}

// drive runs the open connection in the plan's model; it returns what
// serve does.
func (c *conn) drive() bool {
	switch c.r.model {
	case engine.ModelOpen:
		return c.serveOpen()
	case engine.ModelHold:
		return c.hold()
	}
	return c.serve()
}

// backOff waits the backoff wait (engine.Retry) and reports whether the
// thread may connect again: not when the run stops, nor when it gives up
// on the target (engine.ConnTally.GivesUp), now or by the end of the
// wait, which the give-up cuts short.
func (c *conn) backOff(wait time.Duration) bool {
	r := c.r
	now := r.clock.Now()
	if r.conns.GivesUp(r.plan, now) {
		return false
	}
	return c.sleepUntil(r.conns.RetryNs(r.plan, now, wait)) &&
		!r.conns.GivesUp(r.plan, r.clock.Now())
}

// connect opens a blocking socket to the connection's target address and
// reports whether it succeeded; a failure is counted by kind.
func (c *conn) connect() bool {
	p := c.r.plan
	addr := p.Addrs[c.id%len(p.Addrs)]
	sa, family := sockaddr(addr)
	var src netip.Addr // the zero Addr: no bind
	if len(p.SourceAddrs) > 0 {
		src = p.SourceAddrs[c.id%len(p.SourceAddrs)]
	}
	start := c.r.clock.Now()
	fd, err := newSocket(family, src)
	if err != nil {
		c.connectFailed(err)
		return false
	}
	c.mu.Lock()
	if c.r.stop.Load() {
		c.mu.Unlock()
		_ = unix.Close(fd) // never used
		return false
	}
	c.fd = fd
	c.mu.Unlock()
	if err := connect(fd, sa, p.ConnectTimeoutOrDefault()); err != nil {
		c.closeFd()
		if !c.r.stop.Load() {
			c.connectFailed(err)
		}
		return false
	}
	if c.r.tls != nil {
		// The connect timeout bounds the TCP and the TLS handshakes together.
		deadline := time.Now().Add(p.ConnectTimeoutOrDefault() - time.Duration(c.r.clock.Now()-start))
		if err := c.handshake(fd, addr, deadline); err != nil {
			c.closeFd()
			if !c.r.stop.Load() {
				c.connectFailedAs(engine.HandshakeKind(err), err)
			}
			return false
		}
	}
	err = setTimeout(fd, unix.SO_SNDTIMEO, time.Duration(c.r.timeoutNs))
	if err == nil {
		err = setTimeout(fd, unix.SO_RCVTIMEO, time.Duration(c.r.timeoutNs))
	}
	if err != nil {
		c.closeFd()
		c.tls = nil
		c.connectFailed(err)
		return false
	}
	now := c.r.clock.Now()
	rec := c.lock(now)
	rec.RecordConnect(now - start) // the TLS handshake included
	if c.tls != nil {
		if c.tls.ConnectionState().DidResume {
			rec.RecordTLSResumed()
		}
		in, out := c.sock.takeWire() // the handshake's bytes
		rec.RecordReceived(in)
		rec.BytesOut += uint64(out)
	}
	c.g.AddOpen(1)
	c.unlock()
	c.answered = false
	c.r.conns.Opened(now, p.AllOpenConns())
	p.Live.AddOpen(1)
	return true
}

// connectFailed counts a failed connect by its cause.
func (c *conn) connectFailed(err error) { c.connectFailedAs(connectKind(err), err) }

// connectFailedAs counts a failed connect (or TLS handshake) as kind, with
// the bytes a failed handshake moved, and keeps its error text if it is
// the run's first.
func (c *conn) connectFailedAs(kind stats.ErrorKind, err error) {
	rec := c.lock(c.r.clock.Now())
	rec.RecordError(kind)
	in, out := c.sock.takeWire() // none but a TLS handshake's
	rec.RecordReceived(in)
	rec.BytesOut += uint64(out)
	c.unlock()
	c.r.conns.ConnectFailed("connect " + c.r.plan.Addrs[c.id%len(c.r.plan.Addrs)].String() + ": " + err.Error())
}

// closeFd closes the socket, taking it from the stopper's view first.
func (c *conn) closeFd() {
	c.mu.Lock()
	fd := c.fd
	c.fd = -1
	c.mu.Unlock()
	if fd >= 0 {
		_ = unix.Close(fd) // close errors on a socket tell nothing we can act on
	}
}

// close ends an established connection: the socket, the parser state and
// the in-flight requests, which the caller has already counted. The
// connection leaves the run's tally, so the peak counts connections open
// at once, not connects.
func (c *conn) close() { c.closeConn(false) }

// closeConn is close; keepTallied leaves the connection counted open in
// the run's tally, for one open at the end (see end).
func (c *conn) closeConn(keepTallied bool) {
	c.closeFd()
	rec := c.lock(c.r.clock.Now())
	if c.tls != nil {
		// What the last reads and writes moved and nobody took (a failed
		// read's bytes, an alert). No close_notify is sent: the socket
		// just closes, as a plain one does.
		in, out := c.sock.takeWire()
		rec.RecordReceived(in)
		rec.BytesOut += uint64(out)
		c.tls = nil
	}
	c.g.AddOpen(-1)
	c.unlock()
	if !keepTallied {
		c.r.conns.Closed(c.r.clock.Now())
	}
	c.r.plan.Live.AddOpen(-1)
	c.parser.Reset()
	c.kept = 0
	if c.n > 0 && c.queued == c.n {
		return // given back (giveBack): written again on the next connection
	}
	c.head, c.n, c.queued = 0, 0, 0
	c.out, c.wbuf = nil, c.wbuf[:0]
}

// wake shuts down the socket, if any, so that a thread blocked on it
// returns at once; called by the stopper after setting r.stop.
func (c *conn) wake() {
	c.mu.Lock()
	if c.fd >= 0 {
		_ = unix.Shutdown(c.fd, unix.SHUT_RDWR) // fails only if not connected: then nothing blocks
	}
	c.mu.Unlock()
}

// failInFlight counts every in-flight request as failed with kind k,
// unless the run is stopping, when they are left in flight for the
// result.
func (c *conn) failInFlight(k stats.ErrorKind) {
	if c.r.stop.Load() {
		return
	}
	c.failLocked(c.lock(c.r.clock.Now()), k)
	c.unlock()
}

// failLocked is failInFlight with the group locked, as rec.
func (c *conn) failLocked(rec *stats.Recorder, k stats.ErrorKind) {
	if c.r.stop.Load() {
		return
	}
	written := c.n - c.queued
	for i := range c.n {
		s := c.slot(i)
		if c.lateWarm(s) {
			rec.RecordWarmupError(k)
			continue
		}
		if c.r.paced && i < written {
			c.recordLag(rec, s)
		}
		rec.RecordError(k)
	}
	c.n, c.queued = 0, 0
}
