package goroutine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/valyala/fasthttp"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// slot is one connection of the run: its client (fasthttp's HostClient,
// which keeps at most one connection, or a pipeline), the connection
// itself for the stopper, and its byte counts.
//
// The dialer runs on the worker that needs a connection (HostClient's or
// the pipeline's), and reads may run on the pipeline's reader, so the
// dialer records connects straight into the slot's recorder group, under
// its lock, and bytes go through atomics that the workers move into the
// group after each request.
type slot struct {
	r    *run
	id   int
	g    *engine.RecorderGroup
	addr netip.AddrPort
	src  netip.Addr // local address to bind, or the zero Addr

	host *fasthttp.HostClient // pipeline depth 1, unless a request frames its body itself (run.rawFrames)
	pipe *pipeline            // otherwise

	bytesIn, bytesOut atomic.Uint64 // raw bytes read and written, TLS included
	recIn, recOut     uint64        // bytes already moved into g; under g's lock
	opened            atomic.Bool   // a connection is open
	answered          atomic.Bool   // a response came on the open (or last) connection

	// The slot's connect backoff (engine.Retry), under g's lock, which
	// every connect and close takes anyway. A connection's end is counted
	// when the slot next wants to connect (connectAtLocked), not when it
	// closes: fasthttp closes a connection after a Connection: close
	// response before the worker has the response in hand.
	retry    engine.Retry
	retryNs  int64 // run clock: no connect before this
	openNs   int64 // run clock: when the open (or last) connection opened
	closedNs int64 // run clock: when the last connection closed
	ended    bool  // the last connection closed, its end not yet counted in retry

	// Closed-model stages: whether the slot is in use now, and a channel
	// closed (then replaced) when it becomes so. Both change under mu.
	active atomic.Bool
	wake   chan struct{}
	idle   atomic.Int32 // workers of the slot waiting for it to be active

	mu   sync.Mutex // guards conn, nc, tcp and raw, and the writes of active and wake
	conn *countingConn
	nc   net.Conn        // conn as requests use it: TLS over conn, or conn
	tcp  net.Conn        // the TCP connection under conn
	raw  syscall.RawConn // tcp's socket, to look at it without reading (pending)

	// The look at the idle socket (pending), made once so that a look
	// allocates nothing; the slot's owner's (its worker or holder).
	look    func(fd uintptr) bool
	looked  bool    // what the last look saw: something waits to be read
	peekBuf [1]byte // what the look peeks into, and checkIdle reads
}

// dialError is returned by the dialer so that a worker can tell a failed
// connect (already counted from the events) from a failed request.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func newSlot(r *run, id int, g *engine.RecorderGroup) *slot {
	p := r.plan
	s := &slot{r: r, id: id, g: g, addr: p.Addrs[id%len(p.Addrs)], wake: make(chan struct{})}
	s.active.Store(true)
	s.look = func(fd uintptr) bool {
		s.looked = peekFd(int(fd), s.peekBuf[:])
		return true // done: RawConn.Read does not wait
	}
	if len(p.SourceAddrs) > 0 {
		s.src = p.SourceAddrs[id%len(p.SourceAddrs)]
	}
	if p.Model.OrDefault() == engine.ModelHold {
		return s // the holder speaks HTTP on the connection itself
	}
	rbuf := max(p.MaxHeaderBytesOrDefault(), 4096)
	if r.depth == 1 && !r.rawFrames {
		s.host = &fasthttp.HostClient{
			Addr:                          s.addr.String(),
			Name:                          "nowait",
			IsTLS:                         r.tls != nil,
			TLSConfig:                     r.tls,
			Dial:                          s.dial,
			MaxConns:                      1,
			MaxIdemponentCallAttempts:     1,
			RetryIfErr:                    func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
			MaxIdleConnDuration:           r.idleLimit,
			ReadBufferSize:                rbuf,
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			Transport:                     &transport{s: s, timeout: r.timeout},
		}
	} else {
		s.pipe = newPipeline(s, rbuf)
	}
	return s
}

// dial opens the slot's connection, with the TLS handshake when the plan
// is https, so that connect time and connect errors cover both.
func (s *slot) dial(string) (net.Conn, error) {
	r := s.r
	if r.stop.Load() {
		return nil, errStopped
	}
	ctx, cancel := context.WithTimeout(r.dialCtx, r.plan.ConnectTimeoutOrDefault())
	defer cancel()
	var startNs int64
	d := net.Dialer{
		// Called right before the connect system call: the connect time
		// starts there, not before the socket and the bind.
		ControlContext: func(context.Context, string, string, syscall.RawConn) error {
			startNs = r.clock.Now()
			return nil
		},
	}
	if s.src.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: s.src.AsSlice()}
	}
	nc, err := d.DialContext(ctx, "tcp", s.addr.String())
	if err != nil {
		return nil, s.connectFailed(connectKind(err), err)
	}
	connectNs := handshakeNs(nc, r.clock.Now()-startNs)
	tlsStartNs := r.clock.Now()
	cc := &countingConn{Conn: nc, s: s, plain: r.tls == nil}
	var conn net.Conn = cc
	resumed := false
	if r.tls != nil {
		tc := tls.Client(cc, r.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close() // the handshake error is the one to report
			return nil, s.connectFailed(engine.HandshakeKind(err), err)
		}
		conn, resumed = tc, tc.ConnectionState().DidResume
	}
	var raw syscall.RawConn // one per connection: made here, not per look
	if sc, ok := nc.(syscall.Conn); ok {
		raw, _ = sc.SyscallConn() // without it, no look (pending): the request finds the close
	}
	s.mu.Lock()
	if r.stop.Load() {
		s.mu.Unlock()
		_ = nc.Close() // never used
		return nil, errStopped
	}
	s.conn, s.nc, s.tcp, s.raw = cc, conn, nc, raw
	cc.counted.Store(true)
	s.mu.Unlock()
	now := r.clock.Now()
	if r.tls != nil {
		connectNs += now - tlsStartNs // the TLS handshake, as the goroutine ran it
	}
	rec := s.g.Lock(now)
	rec.RecordConnect(connectNs)
	if resumed {
		rec.RecordTLSResumed()
	}
	s.g.AddOpen(1)
	s.connectAtLocked() // the end of the connection before, when nobody asked yet
	s.openNs = now
	s.answered.Store(false)
	s.g.Unlock()
	s.opened.Store(true)
	r.conns.Opened(now, r.plan.AllOpenConns())
	r.plan.Live.AddOpen(1)
	return conn, nil
}

// drain moves the slot's byte counts into rec; the caller holds the
// group's lock.
func (s *slot) drain(rec *stats.Recorder) {
	in, out := s.bytesIn.Load(), s.bytesOut.Load()
	rec.RecordReceived(int(in - s.recIn))
	rec.BytesOut += out - s.recOut
	s.recIn, s.recOut = in, out
}

// drainExchange moves the slot's byte counts into rec, as drain does,
// for a slot that carries one request at a time (HostClient, a holder):
// the bytes since the last drain are that request's exchange, and go
// where its outcome is counted: to the warm-up's counts when warm (a
// warm-up request answered after it ended), and, when late (its outcome
// came after the run's end, and is not counted), its bytes in nowhere,
// as the other modes count none read after the end (its bytes out are
// counted: the request is, in flight). The caller holds the group's lock.
func (s *slot) drainExchange(rec *stats.Recorder, warm, late bool) {
	if !warm && !late {
		s.drain(rec)
		return
	}
	in, out := s.bytesIn.Load(), s.bytesOut.Load()
	if warm {
		rec.Warmup.BytesIn += in - s.recIn
		rec.Warmup.BytesOut += out - s.recOut
	} else {
		rec.BytesOut += out - s.recOut
	}
	s.recIn, s.recOut = in, out
}

// connectFailed counts a failed connect (or TLS handshake) of the given
// kind for the owner and wraps its error.
func (s *slot) connectFailed(kind stats.ErrorKind, err error) error {
	if s.r.stop.Load() {
		return errStopped
	}
	now := s.r.clock.Now()
	s.g.Lock(now).RecordError(kind)
	s.connectAtLocked() // the end of the connection before, if not counted yet
	s.retryNs = now + int64(s.retry.ConnectFailed())
	s.g.Unlock()
	s.r.conns.ConnectFailed("connect " + s.addr.String() + ": " + dialCause(err).Error())
	return &dialError{err}
}

// dialCause strips Go's dialer chain ("dial tcp ADDR: connect: ") from a
// connect error, leaving the cause the other modes report ("connection
// refused"); other errors (a TLS handshake's) are kept whole.
func dialCause(err error) error {
	var op *net.OpError
	if !errors.As(err, &op) || op.Err == nil {
		return err
	}
	var sys *os.SyscallError
	if errors.As(op.Err, &sys) {
		return sys.Err
	}
	return op.Err
}

// closeConn closes the slot's connection, if any, so that a worker blocked
// on it returns at once; the stopper calls it after setting r.stop.
func (s *slot) closeConn() {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		_ = c.Close() // the conn is being abandoned; its close error tells nothing
	}
}

// shutdown releases the client's idle connection once the workers ended,
// and waits for the pipeline's reader to end.
func (s *slot) shutdown() {
	s.closeConn()
	if s.host != nil {
		s.host.CloseIdleConnections()
	}
	if s.pipe != nil {
		s.pipe.readers.Wait()
	}
}

// setActive marks the slot in use or not (closed-model stages); becoming
// active wakes its waiting workers.
func (s *slot) setActive(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active.Load() == on {
		return
	}
	s.active.Store(on)
	if on {
		close(s.wake)
		s.wake = make(chan struct{})
	}
}

// awaitActive returns at once while the slot is active. Otherwise the
// last of its workers to notice closes the connection, and each waits
// until the slot is active again; false means the run stopped first.
func (s *slot) awaitActive() bool {
	if s.active.Load() {
		return true
	}
	if s.idle.Add(1) == int32(s.r.depth) {
		s.release()
	}
	defer s.idle.Add(-1)
	for {
		s.mu.Lock()
		if s.active.Load() {
			s.mu.Unlock()
			return true
		}
		ch := s.wake
		s.mu.Unlock()
		select {
		case <-ch:
		case <-s.r.stopCh:
			return false
		}
	}
}

// release closes the slot's connection while no request is on it.
func (s *slot) release() {
	if s.host != nil {
		s.host.CloseIdleConnections() // the connection is back in the idle pool
	}
	if s.pipe != nil {
		s.pipe.close()
	}
}

// countingConn counts the raw bytes of a connection and tells the slot
// when it closes, if it was counted open.
type countingConn struct {
	net.Conn
	s      *slot
	closed atomic.Bool
	// counted says the dialer counted the connection open. crypto/tls
	// closes the connection under a handshake whose context ends (the
	// connect timeout), from its own goroutine: that connection never
	// opened, and its close takes nothing off the open count.
	counted atomic.Bool

	// Plain HTTP: the first bytes read tell whether the server answered
	// with TLS (wire.IsTLSRecord), which fasthttp's parser would report
	// as a plain read error once the server closes. Reads are one at a
	// time (fasthttp's, the pipeline's reader or the holder), so these
	// need no lock.
	plain   bool
	head    [2]byte // the first bytes read, up to 2
	headLen int
	tlsErr  error // set once the server answered with TLS: every later read fails with it
}

// errAnsweredTLS fails the reads of a plain HTTP connection whose server
// answered with a TLS record; the request fails as a bad response.
var errAnsweredTLS = fmt.Errorf("%w: %w", wire.ErrBadResponse, wire.ErrTLSRecord)

func (c *countingConn) Read(b []byte) (int, error) {
	if c.tlsErr != nil {
		return 0, c.tlsErr
	}
	n, err := c.Conn.Read(b)
	c.s.bytesIn.Add(uint64(n))
	if c.plain && c.headLen < len(c.head) && n > 0 {
		c.sniff(b[:n])
	}
	return n, err
}

// sniff looks at the first two bytes a plain HTTP connection reads: a
// TLS record there is counted (engine.ConnTally.AnsweredTLS), and the
// reads after it fail with errAnsweredTLS, so that the request fails as
// a bad response, as the wire parser of the other modes has it.
func (c *countingConn) sniff(b []byte) {
	c.headLen += copy(c.head[c.headLen:], b)
	if c.headLen == len(c.head) && wire.IsTLSRecord(c.head[:]) {
		c.tlsErr = errAnsweredTLS
		c.s.r.conns.AnsweredTLS()
	}
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.s.bytesOut.Add(uint64(n))
	return n, err
}

func (c *countingConn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := c.Conn.Close()
	if !c.counted.Load() {
		return err
	}
	s := c.s
	s.mu.Lock()
	current := s.conn == c
	if current {
		s.conn, s.nc, s.tcp, s.raw = nil, nil, nil, nil
		s.opened.Store(false)
	}
	s.mu.Unlock()
	now := s.r.clock.Now()
	s.g.Lock(now)
	s.g.AddOpen(-1)
	if current {
		s.closedNs, s.ended = now, true
	}
	s.g.Unlock()
	s.r.conns.Closed(s.r.clock.Now())
	s.r.plan.Live.AddOpen(-1)
	return err
}

// connectKind classifies a failed connect.
func connectKind(err error) stats.ErrorKind {
	var (
		ne  net.Error
		sys *os.SyscallError
	)
	switch {
	case errors.As(err, &sys) && sys.Syscall == "bind":
		// The source address cannot be used (not local, or no port left).
		return stats.ErrAddrNotAvail
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return stats.ErrConnectTimeout
	}
	return engine.ConnectKind(err)
}
