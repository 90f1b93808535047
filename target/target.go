// Package target is nowait's built-in HTTP/1.1 target server, on fasthttp,
// with knobs for body size, latency and faults. Tests start it on
// 127.0.0.1:0 and compare what it served with what the client counted.
// With Config.TLS it serves HTTPS with a self-signed certificate made at
// Start, which Go clients trust through Server.Certificate.
//
// Faults come in two sorts. Per-request faults (Config.Faults) are drawn
// for each request by percentage: a request gets at most one, and with
// what is left of 100% none. Time faults hit the whole server: a stall
// (Config.Stall every Config.StallEvery) holds every response until it
// ends; a refusal (Config.Refuse every Config.RefuseEvery) closes the
// listening socket, so dials are refused, and listens again on the same
// port when it ends. Both first strike one period after Start.
package target

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/nowait/nowait/internal/errmsg"
)

// DefaultBodySize is the size of a response body when none is asked for.
const DefaultBodySize = 13

// MaxBodySize is the largest response body the target serves: the body is
// built in memory once (twice with the raw faults), so a size beyond any
// reasonable benchmark would only exhaust memory.
const MaxBodySize = 64 << 20

// MaxHeaderSize is the largest header the big-header fault sends, far
// past any client's header limit, for the same reason.
const MaxHeaderSize = 16 << 20

// Status codes /status/N answers with: N from MinStatus to MaxStatus.
// 1xx are interim responses, not answers, and 600 and above are not HTTP.
const (
	MinStatus = 200
	MaxStatus = 599
)

// MaxConns is how many connections at once the target is built and
// tested to hold, given enough open files (two per connection when the
// client is in the same process).
const MaxConns = 15000

// Config sets how the target answers. The zero value answers every request
// at once with a small body.
//
// Validate's messages name the knobs as `nowait target` spells its flags
// (--body-size, --delay, ...), the way most users meet them.
type Config struct {
	BodySize   int           // bytes of body in each 200 response; 0 means DefaultBodySize
	EmptyBody  bool          // answer 200s with no body at all (BodySize must then be 0)
	Delay      time.Duration // fixed delay before each response
	Jitter     time.Duration // extra uniform random delay in [0, Jitter)
	DelayDist  DelayDist     // how each delay is drawn around Delay; "" means fixed
	CloseAfter int           // close each connection after this many responses; 0 means never

	// Faults lists per-request faults by percentage, at most one entry per
	// kind, percentages adding up to at most 100.
	Faults     []Fault
	HeaderSize int           // bytes of the FaultBigHeader header value; 0 means DefaultHeaderSize
	DripEvery  time.Duration // gap between bytes of FaultDrip; 0 means DefaultDripEvery

	// Stall holds every response for Stall once every StallEvery (a request
	// arriving during a stall waits until it ends). Both or neither are set,
	// and Stall < StallEvery.
	Stall      time.Duration
	StallEvery time.Duration

	// Refuse stops listening for Refuse once every RefuseEvery. Open
	// connections are kept: to see refusals, clients must reconnect (use
	// CloseAfter or FaultClose). Both or neither, and Refuse < RefuseEvery.
	Refuse      time.Duration
	RefuseEvery time.Duration
	// LowMemory releases a connection's buffers whenever it is idle:
	// about 1 KiB of heap per idle connection instead of 24 (measured at
	// 3000), for holding tens of thousands. It costs pipelining dearly:
	// fasthttp then writes each response on its own, and pipelined
	// throughput fell from 590-690k to 96-102k req/s (depth 16, c=100).
	LowMemory bool

	// TLS serves HTTPS with a self-signed certificate made in memory at
	// Start (ECDSA P-256, for 127.0.0.1, ::1 and localhost, valid for
	// CertValidity): clients trust it with Server.Certificate. Each
	// connection does its handshake on its own goroutine, on the same
	// listener, so faults, stalls and refusals work as over plain TCP.
	// Accepted counts TCP connections; a failed handshake is a ConnErr.
	TLS bool
}

// Validate checks the config without changing it.
func (c Config) Validate() error {
	switch {
	case c.BodySize < 0 || c.BodySize > MaxBodySize:
		return errmsg.Errorf(ErrConfig, "--body-size must be 0 to %d bytes (64 MiB), got %d", MaxBodySize, c.BodySize)
	case c.EmptyBody && c.BodySize != 0:
		return errmsg.Errorf(ErrConfig, "an empty body and --body-size %d conflict", c.BodySize)
	case c.Delay < 0:
		return errmsg.Errorf(ErrConfig, "--delay must not be negative, got %s", c.Delay)
	case c.Jitter < 0:
		return errmsg.Errorf(ErrConfig, "--jitter must not be negative, got %s", c.Jitter)
	case c.DelayDist != "" && c.DelayDist != DelayFixed && c.DelayDist != DelayUniform && c.DelayDist != DelayExponential:
		return errmsg.Errorf(ErrConfig, "--delay-dist %q: want fixed, uniform or exponential", c.DelayDist)
	case c.CloseAfter < 0:
		return errmsg.Errorf(ErrConfig, "--close-after must not be negative, got %d", c.CloseAfter)
	case c.HeaderSize < 0 || c.HeaderSize > MaxHeaderSize:
		return errmsg.Errorf(ErrConfig, "--header-size must be 1 to %d bytes (16 MiB), got %d", MaxHeaderSize, c.HeaderSize)
	case c.DripEvery < 0:
		return errmsg.Errorf(ErrConfig, "--drip-every must be positive, got %s", c.DripEvery)
	}
	if err := validPeriod("stall", c.Stall, c.StallEvery); err != nil {
		return err
	}
	if err := validPeriod("refuse", c.Refuse, c.RefuseEvery); err != nil {
		return err
	}
	var seen [numFaultKinds]bool
	total := 0.0
	for _, f := range c.Faults {
		switch {
		case int(f.Kind) >= numFaultKinds:
			return errmsg.Errorf(ErrConfig, "unknown fault kind %d; want one of %s", f.Kind, FaultKindNames())
		case !(f.Percent > 0 && f.Percent <= 100):
			return errmsg.Errorf(ErrConfig, "fault %s: percent must be in (0, 100], got %g", f.Kind, f.Percent)
		case seen[f.Kind]:
			return errmsg.Errorf(ErrConfig, "fault %s given twice", f.Kind)
		case f.Kind == FaultShortBody && c.EmptyBody:
			return errmsg.Errorf(ErrConfig, "fault short-body needs a body to cut short; give --body-size 2 or more")
		}
		seen[f.Kind] = true
		total += f.Percent
	}
	if total > 100+1e-9 {
		return errmsg.Errorf(ErrConfig, "fault percentages add up to %g, more than 100", total)
	}
	return nil
}

// validPeriod checks a length-every-period pair such as Stall/StallEvery.
func validPeriod(name string, length, every time.Duration) error {
	switch {
	case length == 0 && every == 0:
		return nil
	case length <= 0 || every <= 0:
		return errmsg.Errorf(ErrConfig, "--%s and --%s-every must both be positive, got %s and %s", name, name, length, every)
	case length >= every:
		return errmsg.Errorf(ErrConfig, "--%s %s must be shorter than --%s-every %s", name, length, name, every)
	}
	return nil
}

// Stats is what the target did, for tests to compare with what a client saw.
type Stats struct {
	Accepted    uint64               // connections accepted
	Served      uint64               // complete valid responses (see Server.Served)
	Faults      map[FaultKind]uint64 // requests given each fault (kinds never given are absent)
	Stalled     uint64               // responses held by a stall
	Refusals    uint64               // refusal periods begun
	ClosedAfter uint64               // connections closed by CloseAfter
	Aborted     uint64               // raw faults cut short by a failed write or by Close
	ListenErrs  uint64               // failures to stop or start listening around a refusal
	AcceptErrs  uint64               // failed accepts (such as too many open files)
	ConnErrs    uint64               // connections that ended in an error (bad request, reset by the client, Close)
}

// Server is a running target.
type Server struct {
	cfg       Config
	ln        *listener
	srv       *fasthttp.Server
	start     time.Time
	body      []byte
	errBody   []byte
	badStatus []byte // the body of a 400 for /status/N with a bad N
	bigName   []byte
	bigValue  []byte
	rawResp   []byte // a whole 200 response with "Connection: close", for raw faults
	rawHalf   int    // headers and half the body of rawResp
	dripEvery time.Duration
	faultCum  []float64 // cumulative percentages of cfg.Faults
	hijackers [numFaultKinds]fasthttp.HijackHandler

	served      atomic.Uint64
	faults      [numFaultKinds]atomic.Uint64
	stalled     atomic.Uint64
	refusals    atomic.Uint64
	closedAfter atomic.Uint64
	aborted     atomic.Uint64
	listenErrs  atomic.Uint64
	acceptErrs  atomic.Uint64
	connErrs    atomic.Uint64

	delay *delayer    // holds delayed responses; nil without a delay or jitter
	tls   *selfSigned // the certificate served; nil without TLS

	open connSet // connections fasthttp serves
	raw  connSet // connections hijacked by a raw fault

	closing   chan struct{} // closed first thing by Close
	loops     sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start listens on addr (such as "127.0.0.1:0") and serves in the
// background until Close.
func Start(addr string, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := newServer(cfg)
	if cfg.TLS {
		host, _, _ := net.SplitHostPort(addr) // on an error, Listen says what is wrong
		var err error
		if s.tls, err = newSelfSigned(host, time.Now()); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot listen on %s: %v", addr, listenCause(err)), ErrListen, err)
	}
	if cfg.Delay > 0 || cfg.Jitter > 0 {
		if s.delay, err = newDelayer(s.closing); err != nil {
			_ = ln.Close()
			return nil, err
		}
	}
	s.ln = newListener(ln)
	s.srv = &fasthttp.Server{
		Handler:                       s.handle,
		Name:                          "nowait-target",
		NoDefaultDate:                 true,
		NoDefaultContentType:          true,
		DisableHeaderNamesNormalizing: true,
		// Hold MaxConns connections: no cap on connections served at
		// once or per client IP (load comes from one IP); idle buffers
		// are released only with LowMemory (see there).
		Concurrency:       1 << 20,
		MaxConnsPerIP:     0,
		ReadBufferSize:    16 << 10,
		ReduceMemoryUsage: cfg.LowMemory,
	}
	s.start = time.Now()
	s.loops.Add(1)
	go s.acceptLoop()
	if cfg.Refuse > 0 {
		s.loops.Add(1)
		go s.refuseLoop()
	}
	return s, nil
}

// newServer prepares everything a Server answers with, from a valid cfg.
func newServer(cfg Config) *Server {
	size := cfg.BodySize
	if size == 0 {
		size = DefaultBodySize
	}
	s := &Server{
		cfg:       cfg,
		body:      bytes.Repeat([]byte("x"), size),
		errBody:   []byte("nowait target: fault\n"),
		badStatus: []byte(fmt.Sprintf("nowait target: /status/N answers with status N, for N from %d to %d\n", MinStatus, MaxStatus)),
		bigName:   []byte("X-Nowait-Padding"),
		dripEvery: cfg.DripEvery,
		closing:   make(chan struct{}),
	}
	s.cfg.Faults = slices.Clone(cfg.Faults) // the caller may reuse its slice
	switch {
	case cfg.EmptyBody:
		s.body = nil
	case cfg.BodySize == 0:
		s.body = []byte("Hello, World!")[:size]
	}
	if s.dripEvery == 0 {
		s.dripEvery = DefaultDripEvery
	}
	hs := cfg.HeaderSize
	if hs == 0 {
		hs = DefaultHeaderSize
	}
	s.bigValue = bytes.Repeat([]byte("a"), hs)
	head := "HTTP/1.1 200 OK\r\nServer: nowait-target\r\nContent-Length: " +
		strconv.Itoa(len(s.body)) + "\r\nConnection: close\r\n\r\n"
	s.rawResp = append([]byte(head), s.body...)
	s.rawHalf = len(head) + len(s.body)/2
	cum := 0.0
	for _, f := range cfg.Faults {
		cum += f.Percent
		s.faultCum = append(s.faultCum, cum)
	}
	for k := range s.hijackers {
		kind := FaultKind(k)
		s.hijackers[k] = func(c net.Conn) { s.serveRaw(kind, c) }
	}
	return s
}

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	if d := s.cfg.DelayDist.draw(s.cfg.Delay) + jitter(s.cfg.Jitter); d > 0 {
		// Cut short by Close, which waits for every handler to end.
		s.delay.sleep(int64(d))
	}
	if left := windowLeft(time.Since(s.start), s.cfg.StallEvery, s.cfg.Stall); left > 0 {
		s.stalled.Add(1)
		s.sleepUntil(time.Now().Add(left))
	}
	status, counted, faulty := fasthttp.StatusOK, true, false
	if kind, ok := s.pick(); ok {
		faulty = true
		s.faults[kind].Add(1)
		switch kind {
		case Fault500, Fault503:
			status = 500 + 3*int(kind-Fault500)
		case FaultClose:
			ctx.SetConnectionClose()
		case FaultBigHeader:
			ctx.Response.Header.SetBytesKV(s.bigName, s.bigValue)
			counted = false
		default:
			ctx.HijackSetNoResponse(true)
			ctx.Hijack(s.hijackers[kind])
			return
		}
	} else if p := ctx.Path(); bytes.HasPrefix(p, []byte("/status/")) {
		n, err := strconv.Atoi(string(p[len("/status/"):]))
		if err != nil || n < MinStatus || n > MaxStatus {
			n = fasthttp.StatusBadRequest
			ctx.SetBody(s.badStatus)
		}
		status = n
	}
	ctx.SetStatusCode(status)
	switch {
	case status == fasthttp.StatusOK:
		ctx.SetBody(s.body)
	case faulty && status >= 500:
		ctx.SetBody(s.errBody)
	}
	if ctx.IsHead() {
		// fasthttp sends Content-Length with a HEAD only when there is a
		// body to skip, but a HEAD carries the headers its GET would
		// (RFC 9110 9.3.2), Content-Length: 0 included. (It sets none on
		// a 204 or 304, as for their GET.)
		ctx.Response.Header.SetContentLength(len(ctx.Response.Body()))
	}
	if n := s.cfg.CloseAfter; n > 0 && ctx.ConnRequestNum() >= uint64(n) {
		ctx.SetConnectionClose()
		s.closedAfter.Add(1)
	}
	if counted {
		s.served.Add(1)
	}
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// Addr returns the address the target listens on, as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns http://host:port/ for the target, https:// with TLS.
func (s *Server) URL() string {
	if s.tls != nil {
		return "https://" + s.Addr() + "/"
	}
	return "http://" + s.Addr() + "/"
}

// Served returns how many complete valid responses the target has
// answered: 200s, 5xx (faults or /status/N), FaultClose, and FaultDrip
// once its last byte is written. Other faults are counted only in Faults.
func (s *Server) Served() uint64 { return s.served.Load() }

// Faults returns how many requests got each fault kind so far.
func (s *Server) Faults() map[FaultKind]uint64 {
	m := make(map[FaultKind]uint64)
	for k := range s.faults {
		if n := s.faults[k].Load(); n > 0 {
			m[FaultKind(k)] = n
		}
	}
	return m
}

// Stats returns the target's counters so far.
func (s *Server) Stats() Stats {
	return Stats{
		Accepted:    s.ln.accepted.Load(),
		Served:      s.served.Load(),
		Faults:      s.Faults(),
		Stalled:     s.stalled.Load(),
		Refusals:    s.refusals.Load(),
		ClosedAfter: s.closedAfter.Load(),
		Aborted:     s.aborted.Load(),
		ListenErrs:  s.listenErrs.Load(),
		AcceptErrs:  s.acceptErrs.Load(),
		ConnErrs:    s.connErrs.Load(),
	}
}

// OpenConns returns how many connections the target has open now,
// including those held by a raw fault (hang, drip, ...).
func (s *Server) OpenConns() int64 { return s.open.n.Load() + s.raw.n.Load() }

// Close stops the target, closes its open connections, including those
// held by faults, and returns once every goroutine of the target has
// ended. Calling it again returns the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing) // ends stalls, drips, delays, the refusal and accept loops
		if s.delay != nil {
			s.delay.close()
		}
		s.closeErr = s.ln.Close()
		s.loops.Wait()
		// Served connections first: a handler may still hijack one for
		// a raw fault, and raw.add refuses it once raw is closed.
		s.open.closeAll()
		s.raw.closeAll()
	})
	return s.closeErr
}

// listenCause is the system's reason a listen failed ("address already
// in use"), without the "listen tcp ADDR: bind:" Go puts in front.
func listenCause(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}
