package conformance

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
)

// TestResponseBeforeResetCounts: a server that answers one request per
// connection and resets the connection at once: the response arrived
// before the reset, and every mode counts it, the reactor too when one
// wake-up sees the response and the reset together.
func TestResponseBeforeResetCounts(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &closer{closeRule: closeRule{first: 1 << 40, answer: true, reset: true}}
			stop := serveEach(t, ln, srv.serve)
			p := enginetest.Plan(ln.Addr().String())
			p.Connections, p.Duration = 4, 500*time.Millisecond
			res := execute(t, context.Background(), m, p)
			stop()
			t.Logf("served %d; responses %d, requests %d, in flight %d, errors %v", srv.served.Load(), res.Responses, res.Requests, res.InFlightAtEnd, res.Errors)
			served := uint64(srv.served.Load())
			if res.Responses == 0 || res.Responses > served || served > res.Responses+res.InFlightAtEnd {
				t.Errorf("served %d, counted %d answered with %d in flight at the end; want every response served counted, or in flight",
					served, res.Responses, res.InFlightAtEnd)
			}
		})
	}
}
