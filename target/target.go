// Package target is nowait's built-in HTTP/1.1 target server, on fasthttp,
// with knobs for body size, latency and faults. Tests start it on
// 127.0.0.1:0 and compare what it served with what the client counted.
package target

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// DefaultBodySize is the size of a response body when none is asked for.
const DefaultBodySize = 13

// Config sets how the target answers. The zero value answers every request
// at once with a small body.
type Config struct {
	BodySize   int           // bytes of body in each 200 response; 0 means DefaultBodySize
	Delay      time.Duration // fixed delay before each response
	Jitter     time.Duration // extra uniform random delay in [0, Jitter)
	CloseAfter int           // close each connection after this many responses; 0 means never
}

// Validate checks the config without changing it.
func (c Config) Validate() error {
	switch {
	case c.BodySize < 0:
		return fmt.Errorf("target: body size must not be negative, got %d", c.BodySize)
	case c.Delay < 0 || c.Jitter < 0:
		return errors.New("target: delay and jitter must not be negative")
	case c.CloseAfter < 0:
		return fmt.Errorf("target: close-after must not be negative, got %d", c.CloseAfter)
	}
	return nil
}

// Server is a running target.
type Server struct {
	cfg    Config
	ln     net.Listener
	srv    *fasthttp.Server
	body   []byte
	served atomic.Uint64
	conns  atomic.Int64
	done   chan error
}

// Start listens on addr (such as "127.0.0.1:0") and serves in the
// background until Close.
func Start(addr string, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("target: listen on %s: %w", addr, err)
	}
	size := cfg.BodySize
	if size == 0 {
		size = DefaultBodySize
	}
	s := &Server{cfg: cfg, ln: ln, body: bytes.Repeat([]byte("x"), size), done: make(chan error, 1)}
	if cfg.BodySize == 0 {
		s.body = []byte("Hello, World!")[:size]
	}
	s.srv = &fasthttp.Server{
		Handler:                       s.handle,
		Name:                          "nowait-target",
		NoDefaultDate:                 true,
		NoDefaultContentType:          true,
		DisableHeaderNamesNormalizing: true,
		Concurrency:                   1 << 20,
		MaxConnsPerIP:                 0,
		ReadBufferSize:                16 << 10,
		ConnState: func(_ net.Conn, st fasthttp.ConnState) {
			switch st {
			case fasthttp.StateNew:
				s.conns.Add(1)
			case fasthttp.StateClosed, fasthttp.StateHijacked:
				s.conns.Add(-1)
			}
		},
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	if d := s.cfg.Delay + jitter(s.cfg.Jitter); d > 0 {
		time.Sleep(d)
	}
	status := fasthttp.StatusOK
	if p := ctx.Path(); bytes.HasPrefix(p, []byte("/status/")) {
		if n, err := strconv.Atoi(string(p[len("/status/"):])); err == nil && n >= 200 && n <= 599 {
			status = n
		}
	}
	ctx.SetStatusCode(status)
	if status == fasthttp.StatusOK {
		ctx.SetBody(s.body)
	}
	if n := s.cfg.CloseAfter; n > 0 && ctx.ConnRequestNum() >= uint64(n) {
		ctx.SetConnectionClose()
	}
	s.served.Add(1)
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// Addr returns the address the target listens on, as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns http://host:port/ for the target.
func (s *Server) URL() string { return "http://" + s.Addr() + "/" }

// Served returns how many responses the target has answered.
func (s *Server) Served() uint64 { return s.served.Load() }

// OpenConns returns how many connections the target has open now.
func (s *Server) OpenConns() int64 { return s.conns.Load() }

// Close stops the target and closes its open connections.
func (s *Server) Close() error {
	err := s.srv.Shutdown()
	if serr := <-s.done; serr != nil && err == nil {
		err = serr
	}
	return err
}
