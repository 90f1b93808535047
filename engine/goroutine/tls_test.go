package goroutine

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// The HTTPS tests every mode shares are in engine/conformance; these are
// goroutine mode's own.

func httpsPlan(srv *httptest.Server) *engine.Plan {
	p := enginetest.Plan(strings.TrimPrefix(srv.URL, "https://"))
	p.Scheme = "https"
	p.Target = srv.URL + "/"
	return p
}

// TestHTTPSHandshakeTimeoutsOpenNothing: handshakes that run out of the
// connect timeout never opened a connection, so they close none: crypto/tls
// closes the connection under a handshake whose context ends, and that
// close took one off the open count for each. With the first four
// handshakes timed out, the four connections open after them were then
// counted as none (at 10,000 held connections, a peak of 7,234 against
// 9,762 open at the end).
func TestHTTPSHandshakeTimeoutsOpenNothing(t *testing.T) {
	var hellos atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("Hello, World!"))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		if hellos.Add(1) <= 4 {
			time.Sleep(400 * time.Millisecond) // past the client's connect timeout
		}
		return nil, nil
	}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the timed-out handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p := httpsPlan(srv)
	p.Connections, p.MaxRequests = 4, 0
	p.ConnectTimeout, p.Duration = 150*time.Millisecond, 1500*time.Millisecond
	p.InsecureSkipVerify = true
	res, err := engine.Execute(context.Background(), &Engine{}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connects %d, open at end %d, peak %d, errors %v", res.Connects, res.OpenConnsAtEnd, res.PeakOpenConns, res.Errors)
	if res.Errors[stats.ErrConnectTimeout] < 4 || res.Responses == 0 {
		t.Fatalf("errors %v, responses %d; want the first 4 handshakes timed out, then answers", res.Errors, res.Responses)
	}
	if res.OpenConnsAtEnd != 4 || res.PeakOpenConns != 4 {
		t.Errorf("open at end %d, peak %d; want 4 and 4", res.OpenConnsAtEnd, res.PeakOpenConns)
	}
}
