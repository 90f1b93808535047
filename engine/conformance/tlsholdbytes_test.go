package conformance

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

// TestHTTPSHoldBytesIn: held connections that a server closes 200 ms
// after each handshake carry records but no HTTP (TLS 1.3 session
// tickets, the close_notify alert): they went on the wire and count in
// the bytes in, as the handshake's do: all the server wrote, once it
// stops accepting and the last connections are closed before the end.
func TestHTTPSHoldBytesIn(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var wrote atomic.Uint64
			cert, cfg := testCert()
			raw, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var read atomic.Uint64
			ln := tls.NewListener(wireCounter{raw, &read, &wrote}, cfg)
			stop := serveEach(t, ln, dropAfter(200*time.Millisecond))
			// The listener closes 600 ms in: the connections accepted by
			// then are all closed 200 ms after their handshake, long before
			// the run's end 2 s in (a handshake under -race on a busy
			// machine can take hundreds of ms: with a 1 s run, 6 of 16 were
			// still open at the end), and the later connects are refused,
			// so that no record is on its way at the end.
			stopAccepting := time.AfterFunc(600*time.Millisecond, func() { ln.Close() })
			defer stopAccepting.Stop()
			p := httpsPlan(raw.Addr().String(), cert)
			p.Model, p.Duration, p.Connections = engine.ModelHold, 2*time.Second, 16
			res := execute(t, context.Background(), m, p)
			stop()
			lost := res.Connects - uint64(res.OpenConnsAtEnd)
			t.Logf("connects %d, lost %d, open at end %d, bytes in %d, server wrote %d", res.Connects, lost, res.OpenConnsAtEnd, res.BytesIn, wrote.Load())
			if lost < 16 || res.OpenConnsAtEnd != 0 || res.BytesIn != wrote.Load() {
				t.Errorf("bytes in %d, server wrote %d on the wire for %d connects (%d open at the end); want all of it read, and none open at the end", res.BytesIn, wrote.Load(), res.Connects, res.OpenConnsAtEnd)
			}
		})
	}
}
