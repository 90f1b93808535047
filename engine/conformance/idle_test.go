package conformance

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// What a server does to a connection with no request of ours on it: it
// closes it (an idle timeout), or writes bytes nobody asked for. Every
// mode counts the same, in every model.

// idler is a loopback server that answers every request with a
// keep-alive response and, when a connection has been idle for idle
// since its last response (or for first since its accept, when first is
// set), closes it, or writes stray on it and closes it when the client
// does.
type idler struct {
	first, idle                       time.Duration
	stray                             string
	accepted, closed, served, strayed atomic.Int64
}

// serve serves one accepted connection.
func (s *idler) serve(c net.Conn) {
	defer c.Close()
	s.accepted.Add(1)
	br := bufio.NewReader(c)
	for wait := s.first; ; wait = s.idle {
		err := awaitRequest(c, br, wait)
		if err == nil {
			err = nextRequest(br)
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded) && s.stray != "":
			_, _ = c.Write([]byte(s.stray)) // a failed write shows as the client's count
			s.strayed.Add(1)
			_ = c.SetReadDeadline(time.Time{})
			_, _ = br.ReadByte() // until the client closes
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.closed.Add(1)
			return
		case err != nil:
			return // the client closed
		}
		if _, err := c.Write([]byte(ok)); err != nil {
			return
		}
		s.served.Add(1)
	}
}

// awaitRequest waits until a request begins on c, at most wait (0: no
// limit). When the wait ends it looks once more, briefly: Go reports a
// passed deadline without reading when the goroutine runs after it, and a
// server running late (a child process on a loaded machine) would close
// a connection whose request came in time, with the request unread.
func awaitRequest(c net.Conn, br *bufio.Reader, wait time.Duration) error {
	var deadline time.Time // none
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	_ = c.SetReadDeadline(deadline) // a failure shows as the client's
	_, err := br.Peek(1)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Microsecond))
		_, err = br.Peek(1)
	}
	_ = c.SetReadDeadline(time.Time{})
	return err
}

// nextRequest reads one request without a body (up to its blank line).
func nextRequest(br *bufio.Reader) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.TrimRight(line, "\r\n") == "" {
			return nil
		}
	}
}

// listenIdler starts s on 127.0.0.1:0 for the test; stop closes it and
// waits for its connections to end.
func listenIdler(t *testing.T, s *idler) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln.Addr().String(), serveEach(t, ln, s.serve)
}

// TestIdleClosesAreNoErrors: a server that closes a connection idle for
// a while (an idle timeout shorter than the gap between the requests of
// a connection) fails no request, in the open model and the hold model's
// requests, in every mode: the close is seen when it comes, and the next
// request goes out on a new connection. Hold counts each close as closed
// by the server; open counts nothing but the reconnect.
func TestIdleClosesAreNoErrors(t *testing.T) {
	cases := []struct {
		name string
		idle time.Duration
		plan func(p *engine.Plan)
	}{
		// 4 connections at 20/s: each connection's requests are 200 ms
		// apart; the server closes it 50 ms after each response, 150 ms
		// before the next is due (room for a loaded machine's late
		// wake-ups on either side).
		{"open", 50 * time.Millisecond, func(p *engine.Plan) {
			p.Model, p.RatePerSec, p.Connections = engine.ModelOpen, 20, 4
		}},
		// Requests 200 ms apart on each held connection; the server closes
		// it 50 ms after each response.
		{"hold_every", 50 * time.Millisecond, func(p *engine.Plan) {
			p.Model, p.HoldEvery, p.Connections = engine.ModelHold, 200*time.Millisecond, 4
		}},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := &idler{idle: tc.idle}
				addr, stop := listenIdler(t, srv)
				p := enginetest.Plan(addr)
				p.Duration = time.Second
				tc.plan(p)
				res := execute(t, context.Background(), m, p)
				stop()
				t.Logf("server: accepted %d, closed idle %d, served %d; client: connects %d, requests %d, responses %d, in flight %d, server closed %d, errors %v",
					srv.accepted.Load(), srv.closed.Load(), srv.served.Load(), res.Connects, res.Requests, res.Responses, res.InFlightAtEnd, res.ServerClosed, res.Errors)
				if srv.closed.Load() < 6 {
					t.Fatalf("the server closed %d idle connections, want several", srv.closed.Load())
				}
				if res.ErrorTotal() != 0 || res.Responses < 10 {
					t.Errorf("errors %v, responses %d; want no error and many responses: an idle close fails no request", res.Errors, res.Responses)
				}
				if served := uint64(srv.served.Load()); served < res.Responses || served > res.Responses+res.InFlightAtEnd {
					t.Errorf("served %d, counted %d with %d in flight at the end", served, res.Responses, res.InFlightAtEnd)
				}
				if res.Requests != res.Responses+res.InFlightAtEnd {
					t.Errorf("requests %d, responses %d, in flight %d", res.Requests, res.Responses, res.InFlightAtEnd)
				}
				wantClosed := uint64(0)
				if p.Model == engine.ModelHold {
					wantClosed = uint64(srv.closed.Load())
				}
				// A close that comes after the end is not the run's.
				if res.ServerClosed > wantClosed || res.ServerClosed+uint64(p.Connections) < wantClosed {
					t.Errorf("closed by the server %d, want %d (less those after the end)", res.ServerClosed, wantClosed)
				}
				checkSums(t, res)
			})
		}
	}
}

// TestIdleStrayBytes: bytes that come on a connection with no request on
// it answer nothing: the server broke HTTP/1.1, and every mode counts one
// bad_response for them, closes the connection and opens another, in the
// hold model (idle, or between requests) and the open model.
func TestIdleStrayBytes(t *testing.T) {
	cases := []struct {
		name   string
		silent bool // the plan sends no request
		plan   func(p *engine.Plan)
	}{
		{"hold", true, func(p *engine.Plan) { p.Model = engine.ModelHold }},
		// Requests 200 ms apart on each connection, the stray bytes 50 ms
		// after each response, as in TestIdleClosesAreNoErrors.
		{"hold_every", false, func(p *engine.Plan) { p.Model, p.HoldEvery = engine.ModelHold, 200*time.Millisecond }},
		{"open", false, func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 20 }},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := &idler{idle: 50 * time.Millisecond, stray: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno"}
				if tc.silent {
					srv.first = srv.idle // no request ever comes
				}
				addr, stop := listenIdler(t, srv)
				p := enginetest.Plan(addr)
				p.Connections, p.Duration = 4, time.Second
				tc.plan(p)
				res := execute(t, context.Background(), m, p)
				stop()
				strayed := uint64(srv.strayed.Load())
				t.Logf("server: accepted %d, strayed %d, served %d; client: connects %d, responses %d, in flight %d, server closed %d, errors %v",
					srv.accepted.Load(), strayed, srv.served.Load(), res.Connects, res.Responses, res.InFlightAtEnd, res.ServerClosed, res.Errors)
				if strayed < 4 {
					t.Fatalf("the server wrote stray bytes on %d connections, want several", strayed)
				}
				// The bytes of the last connections can come after the
				// end, or be read in the run's last moment.
				if bad := res.Errors[stats.ErrBadResponse]; bad > strayed || bad+uint64(res.OpenConnsAtEnd) < strayed || bad != res.ErrorTotal() {
					t.Errorf("errors %v for %d stray writes (%d open at the end); want one bad_response each, and no other error", res.Errors, strayed, res.OpenConnsAtEnd)
				}
				if res.ServerClosed != 0 {
					t.Errorf("closed by the server %d; want none: the server closed nothing", res.ServerClosed)
				}
				if uint64(srv.served.Load()) < res.Responses {
					t.Errorf("served %d, counted %d responses: a stray response was taken for an answer", srv.served.Load(), res.Responses)
				}
				if res.Connects < strayed {
					t.Errorf("connects %d for %d stray writes; want each such connection replaced", res.Connects, strayed)
				}
				checkSums(t, res)
			})
		}
	}
}
