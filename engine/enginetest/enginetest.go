// Package enginetest holds what the engines' tests share: a plan of one
// GET, the built-in target started for a test, a canned server for
// benchmarks, and a listener that counts connections by client address.
// Only tests import it.
package enginetest

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/target"
)

// Plan returns a plan of one GET / against addr ("127.0.0.1:port") over
// four connections, with every other field at its default.
func Plan(addr string) *engine.Plan {
	ap := netip.MustParseAddrPort(addr)
	return &engine.Plan{
		Target: "http://" + addr + "/",
		Scheme: "http",
		Addrs:  []netip.AddrPort{ap},
		Requests: []engine.Request{{
			Method: "GET", URI: "/", Host: addr,
			Raw: wire.EncodeRequest("GET", "/", addr, nil, nil),
		}},
		Connections: 4,
	}
}

// StartTarget starts the built-in target on 127.0.0.1:0 for the test and
// closes it when the test ends.
func StartTarget(tb testing.TB, cfg target.Config) *target.Server {
	tb.Helper()
	srv, err := target.Start("127.0.0.1:0", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// CannedResponse is what CannedServer answers to every request.
const CannedResponse = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!"

// CannedServer answers every request it reads (counted by their blank
// line) with CannedResponse, allocating nothing per request, so that a
// benchmark's allocations are the client's. It returns its address and
// stops when the benchmark ends.
func CannedServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ServeCanned(tb, ln)
	return ln.Addr().String()
}

// ServeCanned serves ln as CannedServer does, and closes it when the test
// ends.
func ServeCanned(tb testing.TB, ln net.Listener) {
	tb.Helper()
	ServeEach(tb, ln, func(c net.Conn) {
		buf := make([]byte, 64<<10)
		out := make([]byte, 0, 64<<10)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			out = out[:0]
			for range bytes.Count(buf[:n], []byte("\r\n\r\n")) {
				out = append(out, CannedResponse...)
			}
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	})
}

// Serve starts a server on 127.0.0.1:0 for the test that hands each
// connection it accepts to handle (see ServeEach), and returns its
// address.
func Serve(tb testing.TB, handle func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ServeEach(tb, ln, handle)
	return ln.Addr().String()
}

// ServeEach accepts on ln until the test ends, when it closes ln, and
// runs handle on each connection in a goroutine of its own, closing the
// connection when handle returns.
func ServeEach(tb testing.TB, ln net.Listener, handle func(net.Conn)) {
	tb.Cleanup(func() { ln.Close() })
	go func() { // owned by the test: ends when the listener closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
}

// Peers is a listener of the test's own that keeps every connection it
// accepts, counted by the client's address, so a test can check which
// source addresses a run bound.
type Peers struct {
	ln    net.Listener
	drop  func(n int) time.Duration
	mu    sync.Mutex
	from  map[netip.Addr]int
	conns []net.Conn
	at    []time.Time // when each connection was accepted, in order
	done  chan struct{}
}

// ListenPeers starts a Peers on 127.0.0.1:0 for the test. drop, when not
// nil, says of each accepted connection in order (from 0) when to close
// it, as a server dropping clients would: at once for 0, that long after
// the accept for more, never (Keep) for less.
func ListenPeers(tb testing.TB, drop func(n int) time.Duration) *Peers {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Peers{ln: ln, drop: drop, from: map[netip.Addr]int{}, done: make(chan struct{})}
	go func() { // owned by the test: ends when the listener closes
		defer close(p.done)
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			from := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
			after := Keep
			if p.drop != nil {
				after = p.drop(n)
			}
			p.mu.Lock()
			p.from[from]++
			p.conns = append(p.conns, c) // closed at the end, again if dropped: harmless
			p.at = append(p.at, time.Now())
			p.mu.Unlock()
			switch {
			case after == 0:
				c.Close()
			case after > 0:
				time.AfterFunc(after, func() { c.Close() })
			}
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-p.done
		for _, c := range p.conns {
			c.Close()
		}
	})
	return p
}

// Keep is the drop delay of a connection never closed by the listener.
const Keep time.Duration = -1

// Addr returns the listener's address, "127.0.0.1:port".
func (p *Peers) Addr() string { return p.ln.Addr().String() }

// From returns how many connections came from the client address addr.
func (p *Peers) From(addr string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.from[netip.MustParseAddr(addr)]
}

// AcceptedAt returns when each connection was accepted, in order.
func (p *Peers) AcceptedAt() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.at...)
}

// Total returns how many connections were accepted.
func (p *Peers) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.from {
		n += v
	}
	return n
}
