package goroutine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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

func httpsPlan(t *testing.T, srv *httptest.Server) *engine.Plan {
	p := enginetest.Plan(strings.TrimPrefix(srv.URL, "https://"))
	p.Scheme = "https"
	p.Target = srv.URL + "/"
	return p
}

func TestHTTPS(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p := httpsPlan(t, srv)
	p.MaxRequests = 300
	e := &Engine{TLSConfig: &tls.Config{RootCAs: roots}}
	res, err := engine.Execute(context.Background(), e, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 300 || served.Load() != 300 || res.Status[200] != 300 || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d served %d errors %v", res.Responses, served.Load(), res.Errors)
	}
	// TLS records are bigger than the plain requests they carry.
	if res.BytesOut <= 300*uint64(len(p.Requests[0].Raw)) || res.Connects != 4 {
		t.Fatalf("bytes out %d, connects %d", res.BytesOut, res.Connects)
	}
}

// TestHTTPSPipelined pipelines over TLS: the pipeline writes and reads
// through the TLS connection and counts the raw bytes under it.
func TestHTTPSPipelined(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p := httpsPlan(t, srv)
	p.MaxRequests, p.Pipeline = 400, 4
	e := &Engine{TLSConfig: &tls.Config{RootCAs: roots}}
	res, err := engine.Execute(context.Background(), e, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 400 || served.Load() != 400 || res.Status[200] != 400 || res.ErrorTotal() != 0 || res.Connects != 4 {
		t.Fatalf("responses %d served %d connects %d errors %v", res.Responses, served.Load(), res.Connects, res.Errors)
	}
	if res.BytesOut <= 400*uint64(len(p.Requests[0].Raw)) {
		t.Fatalf("bytes out %d for 400 requests: not TLS records", res.BytesOut)
	}
}

func TestHTTPSVerifiesByDefault(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	p := httpsPlan(t, srv)
	p.Connections, p.Duration = 2, 2*time.Second // handshakes take up to 1 s under -race on a loaded machine
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 0 || served.Load() != 0 || res.Errors[stats.ErrTLSHandshake] == 0 || res.Errors[stats.ErrConnect] != 0 {
		t.Fatalf("responses %d served %d errors %v first %q elapsed %s warm-up %v; want an untrusted certificate refused",
			res.Responses, served.Load(), res.Errors, res.FirstConnectErr, res.Elapsed, res.WarmupCounters.Errors)
	}
	if !strings.Contains(res.FirstConnectErr, "certificate") {
		t.Fatalf("first connect error %q does not name the certificate", res.FirstConnectErr)
	}
}

func TestHoldHTTPS(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p := httpsPlan(t, srv)
	p.Model, p.Connections, p.HoldEvery, p.Duration = engine.ModelHold, 20, 100*time.Millisecond, 800*time.Millisecond
	e := &Engine{TLSConfig: &tls.Config{RootCAs: roots}}
	res, err := engine.Execute(context.Background(), e, p)
	if err != nil {
		t.Fatal(err)
	}
	// Handshakes under -race take a while: each connection sends every
	// 100 ms from its connect on: at least 2 each.
	t.Logf("served %d, responses %d, connects %d, errors %v, established in %s",
		served.Load(), res.Responses, res.Connects, res.Errors, res.EstablishedIn)
	if res.Connects != 20 || res.ErrorTotal() != 0 || res.Responses < 40 || res.Responses > served.Load() {
		t.Fatalf("connects %d errors %v responses %d served %d", res.Connects, res.Errors, res.Responses, served.Load())
	}
	if res.BytesOut <= res.Requests*uint64(len(p.Requests[0].Raw)) {
		t.Fatalf("bytes out %d for %d requests: not TLS records", res.BytesOut, res.Requests)
	}
}

// TestHTTPSInsecure: with InsecureSkipVerify a server whose certificate
// nothing trusts is loaded all the same, and the server name sent (SNI)
// is still the request's host.
func TestHTTPSInsecure(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	var sni atomic.Value
	srv.TLS.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		sni.Store(hello.ServerName)
		return nil, nil
	}
	p := httpsPlan(t, srv)
	p.Requests[0].Host = "nowait.test"
	p.MaxRequests, p.InsecureSkipVerify = 200, true
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 200 || served.Load() != 200 || res.Status[200] != 200 || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d served %d errors %v first %q; want 200 of each and no error",
			res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
	}
	if got, _ := sni.Load().(string); got != "nowait.test" {
		t.Fatalf("server name sent %q, want the request's host nowait.test", got)
	}
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
	p := httpsPlan(t, srv)
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
