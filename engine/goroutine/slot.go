package goroutine

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/valyala/fasthttp"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// slot is one connection of the run: its fasthttp client (which keeps at
// most one connection), the connection itself for the stopper, and its
// byte counts.
//
// fasthttp dials and does I/O on goroutines of its choosing (the caller's
// for HostClient, its own for PipelineClient), so the dialer records
// connects straight into the slot's recorder group, under its lock, and
// bytes go through atomics that the slot's first worker moves into the
// group after each request.
type slot struct {
	r    *run
	id   int
	g    *engine.RecorderGroup
	addr netip.AddrPort
	src  netip.Addr // local address to bind, or the zero Addr

	host *fasthttp.HostClient     // pipeline depth 1
	pipe *fasthttp.PipelineClient // pipeline depth > 1

	bytesIn, bytesOut atomic.Uint64 // raw bytes read and written, TLS included
	opened            atomic.Bool   // a connection is open
	dialFails         atomic.Uint64 // failed connects so far

	mu   sync.Mutex // guards conn
	conn *countingConn
}

// dialError is returned by the dialer so that a worker can tell a failed
// connect (already counted from the events) from a failed request.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func newSlot(r *run, id int, g *engine.RecorderGroup) *slot {
	p := r.plan
	s := &slot{r: r, id: id, g: g, addr: p.Addrs[id%len(p.Addrs)]}
	if len(p.SourceAddrs) > 0 {
		s.src = p.SourceAddrs[id%len(p.SourceAddrs)]
	}
	rbuf := max(p.MaxHeaderBytesOrDefault(), 4096)
	if r.depth == 1 {
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
		}
	} else {
		s.pipe = &fasthttp.PipelineClient{
			Addr:                          s.addr.String(),
			Name:                          "nowait",
			IsTLS:                         r.tls != nil,
			TLSConfig:                     r.tls,
			Dial:                          s.dial,
			MaxConns:                      1,
			MaxPendingRequests:            r.depth,
			MaxIdleConnDuration:           r.idleLimit,
			ReadBufferSize:                rbuf,
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			Logger:                        quietLogger{},
		}
	}
	return s
}

// quietLogger drops PipelineClient's log lines: its failures reach the
// callers as errors, which are counted.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// dial opens the slot's connection, with the TLS handshake when the plan
// is https, so that connect time and connect errors cover both.
func (s *slot) dial(string) (net.Conn, error) {
	r := s.r
	if r.stop.Load() {
		return nil, errStopped
	}
	start := r.clock.Now()
	ctx, cancel := context.WithTimeout(r.dialCtx, r.plan.ConnectTimeoutOrDefault())
	defer cancel()
	d := net.Dialer{}
	if s.src.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: s.src.AsSlice()}
	}
	nc, err := d.DialContext(ctx, "tcp", s.addr.String())
	if err != nil {
		return nil, s.dialFailed(err)
	}
	cc := &countingConn{Conn: nc, s: s}
	var conn net.Conn = cc
	if r.tls != nil {
		tc := tls.Client(cc, r.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close() // the handshake error is the one to report
			return nil, s.dialFailed(err)
		}
		conn = tc
	}
	s.mu.Lock()
	if r.stop.Load() {
		s.mu.Unlock()
		_ = nc.Close() // never used
		return nil, errStopped
	}
	s.conn = cc
	s.mu.Unlock()
	now := r.clock.Now()
	s.g.Lock(now).RecordConnect(now - start)
	s.g.AddOpen(1)
	s.g.Unlock()
	s.opened.Store(true)
	r.open.Add(1)
	r.plan.Live.AddOpen(1)
	return conn, nil
}

// dialFailed queues a failed connect for the owner and wraps its error.
func (s *slot) dialFailed(err error) error {
	if s.r.stop.Load() {
		return errStopped
	}
	s.dialFails.Add(1)
	s.g.Lock(s.r.clock.Now()).RecordError(connectKind(err))
	s.g.Unlock()
	msg := "connect " + s.addr.String() + ": " + err.Error()
	s.r.firstErr.CompareAndSwap(nil, &msg)
	return &dialError{err}
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

// shutdown releases the client's idle connection once the workers ended.
func (s *slot) shutdown() {
	s.closeConn()
	if s.host != nil {
		s.host.CloseIdleConnections()
	}
}

// countingConn counts the raw bytes of a connection and tells the slot
// when it closes.
type countingConn struct {
	net.Conn
	s      *slot
	closed atomic.Bool
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.s.bytesIn.Add(uint64(n))
	return n, err
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
	s := c.s
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
		s.opened.Store(false)
	}
	s.mu.Unlock()
	s.g.Lock(s.r.clock.Now())
	s.g.AddOpen(-1)
	s.g.Unlock()
	s.r.open.Add(-1)
	s.r.plan.Live.AddOpen(-1)
	return err
}

// hostname returns the host part of a Host header value.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

// connectKind classifies a failed connect (or TLS handshake).
func connectKind(err error) stats.ErrorKind {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return stats.ErrConnectRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return stats.ErrConnectTimeout
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return stats.ErrAddrNotAvail
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return stats.ErrTooManyFiles
	}
	return stats.ErrConnect
}
