package reactor

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// HTTPS in the reactor.
//
// crypto/tls cannot resume a handshake after a read that would block (its
// handshake error is kept), so each handshake runs on a goroutine of its
// own, over the connection's non-blocking socket (tlsConn), parked on a
// channel while the socket has nothing: the loop signals it the socket's
// epoll events. The finished handshake goes back to the loop through a
// list and the loop's eventfd; from then on the loop reads and writes the
// connection through crypto/tls itself, on its own thread:
//
//	connect done ─▶ handshaking ──goroutine: HandshakeContext──▶ done list + wake
//	                   ▲ events: signal ready                          │
//	                   └───────────────────────────────────────────────┘
//	loop: take the list ─▶ open: read at once, fill ─▶ requests as plain http
//
// A plain http connection pays one nil check of l.tls on its paths.

// tlsLoop is a loop's TLS side, for an https plan.
type tlsLoop struct {
	cfg    *tls.Config
	clock  engine.Clock
	wake   func() error
	conns  []*tlsConn // by slot; made at the slot's first connect
	remote []net.Addr // by address index, for crypto/tls's session cache key

	ctx    context.Context // the handshakes' parent: cancelled when the loop ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // the handshakes' goroutines
	// cpu holds a token for each handshake computing (between two waits
	// for the socket), shared by the loops of a run: as many as the Ps
	// the loops leave free. The others wait parked, not runnable, so a
	// storm of handshakes does not queue ahead of the stop signal, the
	// progress line or a loop the runtime parked (a GC assist).
	cpu *handshakeCPU

	mu   sync.Mutex
	done []int32 // slots whose handshake ended, for the loop to take
	took []int32 // the loop's copy of done, swapped with it
}

// newTLSLoop returns the TLS side of loop l for cfg, connecting to addrs,
// its handshakes computing with the run's tokens cpu.
func newTLSLoop(l *loop, cfg *tls.Config, cpu *handshakeCPU, addrs []netip.AddrPort) *tlsLoop {
	ctx, cancel := context.WithCancel(context.Background())
	s := &tlsLoop{
		cfg: cfg, clock: l.clock, wake: l.poll.wake, cpu: cpu,
		conns:  make([]*tlsConn, len(l.conns)),
		remote: make([]net.Addr, len(addrs)),
		ctx:    ctx, cancel: cancel,
	}
	for i, ap := range addrs {
		s.remote[i] = net.TCPAddrFromAddrPort(ap)
	}
	return s
}

// startHandshake starts the TLS handshake of c, whose connect just
// completed, on a goroutine, bounded by what is left of the connect
// timeout.
func (l *loop) startHandshake(c *conn) {
	s := l.tls
	t := s.conns[c.slot]
	if t == nil {
		t = &tlsConn{ready: make(chan struct{}, 1), remote: s.remote[c.addr], cpu: s.cpu}
		s.conns[c.slot] = t
	}
	t.fd = int(c.fd)
	t.tc = tls.Client(t, s.cfg)
	t.clearPend()
	t.drained, t.in, t.out, t.err, t.plain, t.resumed = false, 0, 0, nil, nil, false
	left := time.Duration(c.dueNs + l.connTimeoutNs - l.clock.Now())
	ctx, cancel := context.WithTimeout(s.ctx, left)
	t.ctx = ctx
	c.state = stateHandshaking
	s.wg.Add(1)
	go s.handshake(c.slot, t, cancel)
}

// handshake runs one handshake and hands the connection back to the loop.
func (s *tlsLoop) handshake(slot int32, t *tlsConn, cancel context.CancelFunc) {
	defer s.wg.Done()
	err := t.work(false) // a loop that stopped before the goroutine ran: no key shares to make
	if err == nil {
		err = t.tc.HandshakeContext(t.ctx)
	}
	t.idle()
	cancel()
	t.doneNs = s.clock.Now()
	// Here, not on the loop: ConnectionState copies the state (an
	// allocation) under the handshake's lock.
	t.resumed = err == nil && t.tc.ConnectionState().DidResume
	t.err, t.ctx = err, nil // reactor mode from now on
	s.mu.Lock()
	s.done = append(s.done, slot)
	s.mu.Unlock()
	_ = s.wake() // cannot fail but by a full counter, which wakes the loop anyway
}

// takeHandshakes takes the connections whose handshake ended: an open
// one is counted (its connect time runs to the handshake's end, as in
// goroutine mode) and read at once, a failed one goes the way of every
// failed connect. An ending loop leaves them to closeAll.
func (l *loop) takeHandshakes() {
	s := l.tls
	s.mu.Lock()
	s.took, s.done = s.done, s.took[:0]
	s.mu.Unlock()
	l.now = l.clock.Now()
	for _, slot := range s.took {
		if l.stopping || l.over() {
			return // closeAll closes them
		}
		c, t := &l.conns[slot], s.conns[slot]
		l.collect(t)
		if t.err != nil {
			l.fail(c, engine.HandshakeKind(t.err), handshakeCause(t.err, l.connTimeoutNs))
			continue
		}
		l.rec.RecordConnect(t.doneNs - c.dueNs)
		if t.resumed {
			l.rec.RecordTLSResumed()
		}
		c.state = stateOpen
		l.opened(c)
		// The handshake's goroutine took the socket's events: what came
		// since (a TLS 1.3 session ticket, a response) raises no new edge.
		l.onReadableTLS(c)
	}
}

// handshakeCause explains a failed handshake in FirstConnectErr.
func handshakeCause(err error, timeoutNs int64) error {
	if engine.HandshakeKind(err) == stats.ErrConnectTimeout {
		return fmt.Errorf("TLS handshake: %w", errConnectTimeout(timeoutNs))
	}
	return err
}

// stopHandshakes ends the handshakes in progress and waits for their
// goroutines, so that none reads a socket closeAll closes next.
//
// The bytes a stopped handshake moved (its ClientHello, what it read of
// the server's answer) went on the wire: they are counted.
func (l *loop) stopHandshakes() {
	l.tls.cancel()
	l.tls.wg.Wait()
	for i := range l.conns {
		if c := &l.conns[i]; c.state == stateHandshaking {
			l.collect(l.tls.conns[c.slot])
		}
	}
}

// collect records the bytes t moved on the socket since the last time.
func (l *loop) collect(t *tlsConn) {
	l.rec.RecordReceived(t.in)
	l.rec.RecordSent(0, t.out)
	t.in, t.out = 0, 0
}

// onReadableTLS is onReadable for an https connection: it reads plaintext
// through crypto/tls until the socket has no more. A short read does not
// mean the socket is drained: crypto/tls returns a record at a time and
// may hold more, read already. Bytes in are counted as they came on the
// socket (TLS records).
func (l *loop) onReadableTLS(c *conn) bool {
	t := l.tls.conns[c.slot]
	t.drained = false // an event, or the handoff: the socket may have more
	for {
		keep := 0
		if c.rx != nil {
			keep = copy(l.rbuf, c.rx.carry)
		}
		t.settle(c)
		n, err := t.tc.Read(l.rbuf[keep:])
		t.expose(c)
		if n == 0 && err == errWouldBlock {
			l.collect(t)
			break
		}
		l.now = l.clock.Now()
		if l.over() {
			l.stopping = true
			return false // read after the end: not counted; closeAll closes the socket
		}
		wire := t.in
		l.collect(t)
		if n == 0 {
			l.readEnded(c, err)
			return false
		}
		if !l.consumeRead(c, keep, n, wire) {
			return false
		}
		if err == errWouldBlock {
			break
		}
		if err != nil { // a close-notify or an error after the bytes just parsed
			l.readEnded(c, err)
			return false
		}
	}
	l.fill(c)
	if c.inflight == 0 && c.rx != nil {
		l.putRx(c)
	}
	return true
}

// readEnded ends c on what crypto/tls's read returned: io.EOF for the
// peer's close (a close-notify, or the socket's end between records), or
// a failure.
func (l *loop) readEnded(c *conn, err error) {
	if err == io.EOF {
		l.eof(c)
		return
	}
	l.fail(c, engine.IOKind(err, false), nil)
}

// sendTLS seals the batch commit made c's pending write into TLS records
// and writes what the socket takes; the rest stays c's pending write
// (tlsConn.pend), which flush writes on EPOLLOUT. It seals at most
// sealChunk bytes ahead of the socket (sealMore): a batch of large bodies
// (16 pipelined requests of 1 MB) is not copied whole into ciphertext,
// which took 278 MB for 8 connections against 38 MB over http.
func (l *loop) sendTLS(c *conn) {
	t := l.tls.conns[c.slot]
	t.plain = c.wbuf
	c.wbuf, c.woff = nil, 0 // the previous batch was all written: fill and hold send only then
	l.sealMore(c)
}

// sealChunk is the most plaintext sealMore seals at once.
const sealChunk = 64 << 10

// sealMore seals the batch's plaintext not sealed yet, a chunk at a time,
// while the socket takes all of it. It stops when the socket is full (the
// chunk's rest is c's pending write, and the next EPOLLOUT comes back
// here once it is written) or all is sealed: c is writing while any is
// left, so fill sends no new batch before. It returns false when the
// connection failed.
func (l *loop) sealMore(c *conn) bool {
	t := l.tls.conns[c.slot]
	for len(t.plain) > 0 && !c.writing() {
		n := min(len(t.plain), sealChunk)
		t.clearPend()
		c.wbuf, c.woff = nil, 0
		_, err := t.tc.Write(t.plain[:n])
		t.plain = t.plain[n:]
		t.expose(c)
		l.collect(t)
		if err != nil {
			t.plain = nil
			l.fail(c, engine.IOKind(err, true), nil)
			return false
		}
	}
	return true
}
