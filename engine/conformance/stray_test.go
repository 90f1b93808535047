package conformance

import (
	"bufio"
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// trailer is a loopback server that answers every request with a
// complete keep-alive response followed, in the same write, by bytes
// nobody asked for, and counts both.
type trailer struct {
	stray            string
	accepted, served atomic.Int64
}

// serve serves one accepted connection until the client closes it.
func (s *trailer) serve(c net.Conn) {
	defer c.Close()
	s.accepted.Add(1)
	br := bufio.NewReader(c)
	for readRequest(br) {
		if _, err := c.Write([]byte(ok + s.stray)); err != nil {
			return
		}
		s.served.Add(1)
	}
}

// TestStrayBytesAfterResponse: bytes that come right behind a complete
// response, with no other request on the connection, answer nothing: the
// server broke HTTP/1.1. In the closed model, whatever the mode, each
// such response counts as answered, the bytes after it as one
// bad_response, and the connection is closed and opened again (the
// stream cannot be trusted), as TestIdleStrayBytes has it for bytes on
// an idle connection.
func TestStrayBytesAfterResponse(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := &trailer{stray: "xyz\r\n"}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			stop := serveEach(t, ln, srv.serve)
			p := enginetest.Plan(ln.Addr().String())
			p.Connections, p.MaxRequests, p.Duration = 4, 200, 10*time.Second
			res := execute(t, context.Background(), m, p)
			stop()
			served := uint64(srv.served.Load())
			t.Logf("server: accepted %d, served %d; client: connects %d, requests %d, responses %d, in flight %d, errors %v",
				srv.accepted.Load(), served, res.Connects, res.Requests, res.Responses, res.InFlightAtEnd, res.Errors)
			if res.Requests != served || res.Responses != served {
				t.Errorf("requests %d, responses %d, served %d; want every request answered", res.Requests, res.Responses, served)
			}
			// One stray write behind each response, each on its own
			// connection: the client drops the connection after it.
			if bad := res.Errors[stats.ErrBadResponse]; bad != served || bad != res.ErrorTotal() {
				t.Errorf("errors %v for %d responses with stray bytes behind them; want one bad_response each, and no other error", res.Errors, served)
			}
			if res.Connects < served {
				t.Errorf("connects %d for %d responses with stray bytes behind them; want each such connection replaced", res.Connects, served)
			}
			checkSums(t, res)
		})
	}
}
