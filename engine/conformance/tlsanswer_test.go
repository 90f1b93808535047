package conformance

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// tlsAlert is what a TLS server may answer a plain HTTP request with: a
// fatal protocol_version alert in a TLS 1.2 record.
var tlsAlert = []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}

// answerTLS serves a connection as a TLS server seeing plain HTTP: it
// reads the request, answers with a TLS alert and closes.
func answerTLS(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err == nil {
		_, _ = c.Write(tlsAlert)
	}
}

// TestHTTPToTLSServer: plain HTTP to a server that answers with a TLS
// record fails every request as a bad response, in every mode and in the
// closed, pipelined and hold models alike (pipelined, the requests
// written after the server's close may fail on their write), and the
// result says the server speaks TLS (HTTPToTLS).
func TestHTTPToTLSServer(t *testing.T) {
	for _, m := range modes {
		for _, model := range []string{"closed", "pipelined", "hold"} {
			t.Run(m.name+" "+model, func(t *testing.T) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				stop := serveEach(t, ln, answerTLS)
				p := enginetest.Plan(ln.Addr().String())
				p.Connections, p.Duration = 2, 400*time.Millisecond
				switch model {
				case "pipelined":
					p.Pipeline = 4
				case "hold":
					p.Model, p.HoldEvery = engine.ModelHold, 50*time.Millisecond
				}
				res := execute(t, context.Background(), m, p)
				stop()
				bad := res.Errors[stats.ErrBadResponse]
				if res.Responses != 0 || bad == 0 || !res.HTTPToTLS {
					t.Fatalf("responses %d, bad responses %d, HTTPToTLS %v, errors %v; want only bad responses, and the TLS answer noted",
						res.Responses, bad, res.HTTPToTLS, res.Errors)
				}
				for k, n := range res.Errors {
					kind := stats.ErrorKind(k)
					// Pipelined, a request written after the server's close
					// fails on its own write (goroutine mode writes each on
					// its own): a reset or a write error.
					behind := model == "pipelined" && (kind == stats.ErrReset || kind == stats.ErrWrite)
					if n > 0 && kind != stats.ErrBadResponse && !behind {
						t.Errorf("%d %s besides the bad responses", n, stats.ErrorKind(k))
					}
				}
			})
		}
	}
}
