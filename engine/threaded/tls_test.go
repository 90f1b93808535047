package threaded

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// httpsPlan returns a plan of one GET / over https against srv, over four
// connections.
func httpsPlan(srv *httptest.Server) *engine.Plan {
	return httpsPlanAt(strings.TrimPrefix(srv.URL, "https://"))
}

// httpsPlanAt is httpsPlan for any address "127.0.0.1:port".
func httpsPlanAt(addr string) *engine.Plan {
	p := enginetest.Plan(addr)
	p.Scheme = "https"
	p.Target = "https://" + addr + "/"
	return p
}

// trusting returns a sync engine that trusts srv's self-signed certificate.
func trusting(srv *httptest.Server) *Engine {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return &Engine{TLSConfig: &tls.Config{RootCAs: roots}}
}

// wireCounter is a listener that counts the raw bytes of the connections
// it accepts, under the server's TLS: what went on the wire.
type wireCounter struct {
	net.Listener
	in, out *atomic.Uint64
}

func (l wireCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wireConn{c, l.in, l.out}, nil
}

type wireConn struct {
	net.Conn
	in, out *atomic.Uint64
}

func (c wireConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.in.Add(uint64(n))
	return n, err
}

func (c wireConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.out.Add(uint64(n))
	return n, err
}

// startTLSServer starts an HTTPS server on 127.0.0.1 running handler,
// with httptest's self-signed certificate, counting the raw bytes it reads
// (in) and writes (out). It stops with the test.
func startTLSServer(t *testing.T, handler http.HandlerFunc) (srv *httptest.Server, in, out *atomic.Uint64) {
	t.Helper()
	in, out = new(atomic.Uint64), new(atomic.Uint64)
	srv = httptest.NewUnstartedServer(handler)
	srv.Listener = wireCounter{srv.Listener, in, out}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused and cut handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, in, out
}

// TestHTTPS: -n 300 over https, without and with pipelining, is answered
// in full on one TLS connection per thread, and the bytes counted are the
// TLS records on the wire: what the server read and wrote under its TLS,
// handshakes included.
func TestHTTPS(t *testing.T) {
	for _, depth := range []int{1, 4} {
		var served atomic.Uint64
		srv, srvIn, srvOut := startTLSServer(t, func(w http.ResponseWriter, _ *http.Request) {
			served.Add(1)
			_, _ = w.Write([]byte("Hello, World!")) // a failed write shows as a client error
		})
		p := httpsPlan(srv)
		p.MaxRequests, p.Pipeline = 300, depth
		res, err := engine.Execute(context.Background(), trusting(srv), p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("pipeline %d: responses %d, connects %d, bytes out %d in %d, server read %d wrote %d, connect p50 %d µs",
			depth, res.Responses, res.Connects, res.BytesOut, res.BytesIn, srvIn.Load(), srvOut.Load(), res.Connect.ValueAtQuantile(50))
		if res.Responses != 300 || served.Load() != 300 || res.Status[200] != 300 || res.ErrorTotal() != 0 {
			t.Fatalf("pipeline %d: responses %d served %d errors %v first %q", depth, res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
		}
		if res.Connects != uint64(p.Connections) || res.PeakOpenConns != p.Connections {
			t.Fatalf("pipeline %d: connects %d, peak open %d; want one per connection (%d)", depth, res.Connects, res.PeakOpenConns, p.Connections)
		}
		// TLS records are bigger than the plain requests they carry.
		if res.BytesOut <= 300*uint64(len(p.Requests[0].Raw)) {
			t.Fatalf("pipeline %d: bytes out %d for 300 requests of %d bytes: not TLS records", depth, res.BytesOut, len(p.Requests[0].Raw))
		}
		// The server answers the client's close with a close_notify alert
		// (24 bytes in TLS 1.3) that reaches a closed socket: the only
		// bytes on the wire the client does not read.
		if res.BytesOut != srvIn.Load() || res.BytesIn > srvOut.Load() || srvOut.Load()-res.BytesIn > 24*res.Connects {
			t.Fatalf("pipeline %d: client counted out %d in %d, server read %d wrote %d on the wire", depth, res.BytesOut, res.BytesIn, srvIn.Load(), srvOut.Load())
		}
	}
}

// TestHTTPSVerifiesByDefault: a certificate nothing trusts fails every
// handshake, counted as tls_handshake (not connect_error), and the first
// connect error says why.
func TestHTTPSVerifiesByDefault(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	p := httpsPlan(srv)
	p.Connections, p.Duration = 2, time.Second
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("errors %v, first %q, bytes out %d in %d", res.Errors, res.FirstConnectErr, res.BytesOut, res.BytesIn)
	if res.Responses != 0 || served.Load() != 0 || res.Connects != 0 || res.Errors[stats.ErrTLSHandshake] == 0 || res.Errors[stats.ErrConnect] != 0 {
		t.Fatalf("responses %d served %d connects %d errors %v first %q; want an untrusted certificate refused",
			res.Responses, served.Load(), res.Connects, res.Errors, res.FirstConnectErr)
	}
	if !strings.Contains(res.FirstConnectErr, "tls: failed to verify certificate") {
		t.Fatalf("first connect error %q does not name the certificate", res.FirstConnectErr)
	}
	// The refused handshakes went on the wire: a ClientHello each, the
	// server's certificate back.
	if fails := res.Errors[stats.ErrTLSHandshake]; res.BytesOut < 100*fails || res.BytesIn < 500*fails {
		t.Fatalf("bytes out %d in %d for %d refused handshakes; want the handshakes' bytes", res.BytesOut, res.BytesIn, fails)
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
	p := httpsPlan(srv)
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

// silentListener listens on 127.0.0.1 and never accepts: the kernel
// completes the TCP handshakes (into the accept queue), and nobody ever
// answers a ClientHello. The test process holds no fd per connection.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// TestHTTPSHandshakeTimeout: a server that accepts and never speaks TLS
// fails each handshake when the connect timeout runs out, counted as
// connect_timeout, and the run still ends on time.
func TestHTTPSHandshakeTimeout(t *testing.T) {
	p := httpsPlanAt(silentListener(t))
	p.ConnectTimeout, p.Duration = 300*time.Millisecond, time.Second
	start := time.Now()
	res, err := engine.Execute(context.Background(), New(), p)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("took %s, errors %v, first %q", took, res.Errors, res.FirstConnectErr)
	// Each connection fails at 0.3 s, and again 0.3 s after each backoff.
	if timeouts := res.Errors[stats.ErrConnectTimeout]; timeouts < uint64(p.Connections) || timeouts != res.ErrorTotal() || res.Connects != 0 || res.Requests != 0 {
		t.Fatalf("errors %v, connects %d, requests %d; want connect timeouts only", res.Errors, res.Connects, res.Requests)
	}
	if took > 1500*time.Millisecond {
		t.Fatalf("a 1 s run took %s", took)
	}
	if !strings.HasSuffix(res.FirstConnectErr, ": tls handshake: i/o timeout") {
		t.Fatalf("first connect error %q; want it to say the TLS handshake timed out", res.FirstConnectErr)
	}
}

// TestHTTPSConnectionClose: a server that closes the connection after
// every response is answered in full over TLS, one connection a request.
func TestHTTPSConnectionClose(t *testing.T) {
	var served atomic.Uint64
	srv, _, _ := startTLSServer(t, func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Connection", "close")
		_, _ = w.Write([]byte("Hello, World!")) // a failed write shows as a client error
	})
	p := httpsPlan(srv)
	p.MaxRequests = 200
	res, err := engine.Execute(context.Background(), trusting(srv), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("responses %d, connects %d, errors %v", res.Responses, res.Connects, res.Errors)
	if res.Responses != 200 || served.Load() != 200 || res.Status[200] != 200 || res.ErrorTotal() != 0 || res.Connects < 200 {
		t.Fatalf("responses %d served %d connects %d errors %v; want 200 answered, each on its own connection",
			res.Responses, served.Load(), res.Connects, res.Errors)
	}
}

// TestHTTPSOpen: the open model over TLS keeps its rate and every response
// is the server's.
func TestHTTPSOpen(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	p := httpsPlan(srv)
	p.Model, p.RatePerSec, p.Duration, p.Connections = engine.ModelOpen, 200, time.Second, 4
	res, err := engine.Execute(context.Background(), trusting(srv), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("requests %d, responses %d, dropped %d, in flight %d, served %d", res.Requests, res.Responses, res.Dropped, res.InFlightAtEnd, served.Load())
	if res.ErrorTotal() != 0 || res.Connects != 4 || res.Responses != res.Requests-res.InFlightAtEnd || served.Load() < res.Responses {
		t.Fatalf("requests %d, responses %d, in flight %d, served %d, connects %d, errors %v",
			res.Requests, res.Responses, res.InFlightAtEnd, served.Load(), res.Connects, res.Errors)
	}
	if due := res.Requests + res.Dropped; due < 195 || due > 201 {
		t.Fatalf("sent %d + dropped %d, want the 200 due", res.Requests, res.Dropped)
	}
	if res.BytesOut <= res.Requests*uint64(len(p.Requests[0].Raw)) {
		t.Fatalf("bytes out %d for %d requests: not TLS records", res.BytesOut, res.Requests)
	}
}

// TestHTTPSHold: held TLS connections stay open and error-free, idle or
// with a request every 100 ms. The run is cancelled once all are open
// and have been held 500 ms: handshakes are slow under -race on a loaded
// machine.
func TestHTTPSHold(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	for _, every := range []time.Duration{0, 100 * time.Millisecond} {
		before := served.Load()
		p := holdPlan(t, strings.TrimPrefix(srv.URL, "https://"), 20, 10*time.Second)
		p.Scheme, p.Target, p.HoldEvery, p.Live = "https", srv.URL+"/", every, &stats.Live{}
		var allOpen time.Time
		res, _ := cancelWhen(t, trusting(srv), p, func() bool {
			if allOpen.IsZero() && p.Live.Read().OpenConns == 20 {
				allOpen = time.Now()
			}
			return !allOpen.IsZero() && time.Since(allOpen) >= 500*time.Millisecond
		})
		got := served.Load() - before
		t.Logf("every %s: connects %d, open at end %d, responses %d, served %d, errors %v, established in %s",
			every, res.Connects, res.OpenConnsAtEnd, res.Responses, got, res.Errors, res.EstablishedIn)
		if res.Connects != 20 || res.OpenConnsAtEnd != 20 || res.ErrorTotal() != 0 || res.Responses > got {
			t.Fatalf("every %s: connects %d, open at end %d, errors %v, responses %d, served %d",
				every, res.Connects, res.OpenConnsAtEnd, res.Errors, res.Responses, got)
		}
		// Each connection sends every 100 ms from its connect on, and
		// every one was open 500 ms: at least 2 answered each.
		if every > 0 && (res.Responses < 40 || res.BytesOut <= res.Requests*uint64(len(p.Requests[0].Raw))) {
			t.Fatalf("every %s: responses %d, bytes out %d for %d requests", every, res.Responses, res.BytesOut, res.Requests)
		}
	}
}

// TestHTTPSRequestTimeout: over TLS as over TCP, a request unanswered
// within the timeout fails as a timeout, on a connection that was open.
func TestHTTPSRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _, _ := startTLSServer(t, func(_ http.ResponseWriter, r *http.Request) {
		select { // never answers
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	p := httpsPlan(srv)
	p.Connections, p.Duration, p.Timeout = 2, time.Second, 200*time.Millisecond
	res, err := engine.Execute(context.Background(), trusting(srv), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connects %d, errors %v", res.Connects, res.Errors)
	if timeouts := res.Errors[stats.ErrTimeout]; timeouts < uint64(p.Connections) || timeouts != res.ErrorTotal() || res.Responses != 0 || res.Connects < timeouts {
		t.Fatalf("errors %v, responses %d, connects %d; want request timeouts only, each on its connection", res.Errors, res.Responses, res.Connects)
	}
}

// TestHTTPSHoldServerCloses: a server that drops held connections (here
// 200 ms after each handshake) closes them with a close_notify alert
// before its FIN: read through TLS, that is the server's close, counted
// as a read error as over plain TCP (not bytes nobody asked for), and
// each connection is opened again.
func TestHTTPSHoldServerCloses(t *testing.T) {
	srv, addr := dropAfterHandshake(t, 200*time.Millisecond)
	p := holdPlan(t, addr, 4, time.Second)
	p.Scheme, p.Target = "https", "https://"+addr+"/"
	res, err := engine.Execute(context.Background(), trusting(srv), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connects %d, open at end %d, errors %v", res.Connects, res.OpenConnsAtEnd, res.Errors)
	// Every connect ends lost or open at the end (a reconnect the end
	// cut short is no connect).
	if lost := res.Errors[stats.ErrRead]; lost < 4 || lost != res.ErrorTotal() || res.Connects != lost+uint64(res.OpenConnsAtEnd) {
		t.Fatalf("errors %v, connects %d, open at end %d; want only the server's closes, each reconnected", res.Errors, res.Connects, res.OpenConnsAtEnd)
	}
}

// dropAfterHandshake starts a TLS server on 127.0.0.1 that completes each
// handshake and closes the connection d later: close_notify, then FIN. It
// returns an httptest server (stopped) whose certificate it presents, for
// trusting, and its own address. It stops with the test.
func dropAfterHandshake(t *testing.T, d time.Duration) (*httptest.Server, string) {
	t.Helper()
	certs := httptest.NewUnstartedServer(nil)
	certs.StartTLS()
	certs.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", certs.TLS)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() { // owned by the test: ends when the listener closes
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { // ends d after the handshake
				defer wg.Done()
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil {
					time.Sleep(d)
				}
			}()
		}
	}()
	return certs, ln.Addr().String()
}

// TestHTTPSBodyToClose: a response whose body ends where the server
// closes the connection is complete over TLS as over TCP: the server's
// close_notify then FIN is the end of the body, not a failed read.
func TestHTTPSBodyToClose(t *testing.T) {
	var served atomic.Uint64
	srv, _, _ := startTLSServer(t, func(w http.ResponseWriter, _ *http.Request) {
		nc, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer nc.Close() // close_notify, then FIN: the end of the body
		served.Add(1)
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nHello, World!") // a failed write shows as a client error
		_ = buf.Flush()
	})
	p := httpsPlan(srv)
	p.MaxRequests = 50
	res, err := engine.Execute(context.Background(), trusting(srv), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("responses %d, connects %d, errors %v, bytes in %d", res.Responses, res.Connects, res.Errors, res.BytesIn)
	if res.Responses != 50 || served.Load() != 50 || res.Status[200] != 50 || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d served %d errors %v; want 50 bodies ended by the close", res.Responses, served.Load(), res.Errors)
	}
}
