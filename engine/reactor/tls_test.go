//go:build linux

package reactor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// startTLSServer starts an HTTPS server on 127.0.0.1 with httptest's
// self-signed certificate, serving h; edit, when not nil, changes the
// server before it starts. It stops with the test.
func startTLSServer(t *testing.T, h http.HandlerFunc, edit func(*httptest.Server)) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if edit != nil {
		edit(srv)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// hello answers "Hello, World!", counting what it serves in served.
func hello(served *atomic.Uint64) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte("Hello, World!"))
	}
}

// settleCount returns served once it has stopped moving: after a run the
// server may still be answering requests the client stopped waiting for.
func settleCount(served *atomic.Uint64) uint64 {
	last := served.Load()
	for range 20 {
		time.Sleep(20 * time.Millisecond)
		if n := served.Load(); n == last {
			break
		} else {
			last = n
		}
	}
	return last
}

// tlsPlan returns a GET / plan over https against srv with c connections
// on loops loops; the test sets the stop condition.
func tlsPlan(t testing.TB, srv *httptest.Server, c, loops int) *engine.Plan {
	t.Helper()
	p := newPlan(t, strings.TrimPrefix(srv.URL, "https://"), c, loops)
	p.Scheme, p.Target = "https", srv.URL+"/"
	return p
}

// trusting returns an engine that trusts srv's self-signed certificate.
func trusting(srv *httptest.Server) *Engine {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return &Engine{TLSConfig: &tls.Config{RootCAs: roots}}
}

// runTLS runs plan on e and fails the test on an error.
func runTLS(t testing.TB, ctx context.Context, e *Engine, plan *engine.Plan) *stats.Result {
	t.Helper()
	res, err := engine.Execute(ctx, e, plan)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// leakCheck notes the descriptors and goroutines now; its result checks
// that as many are left once the run and what the test closes are gone.
func leakCheck(t *testing.T) func() {
	t.Helper()
	fds, gs := countFDs(t), goroutines()
	return func() {
		t.Helper()
		if !eventually(func() bool { return countFDs(t) <= fds }) {
			t.Errorf("fds: %d before, %d after", fds, countFDs(t))
		}
		if !eventually(func() bool { return goroutines() <= gs }) {
			buf := make([]byte, 1<<20)
			t.Errorf("goroutines: %d before, %d after\n%s", gs, goroutines(), buf[:runtime.Stack(buf, true)])
		}
	}
}

// TestHTTPSClosed: 300 requests over https, one request and pipelined 8
// deep, on two loops: every one served and answered once, on at most one
// handshake per connection (a loop that spent its share of the budget
// before a handshake ended stops it), bytes out counted as TLS records.
func TestHTTPSClosed(t *testing.T) {
	for _, depth := range []int{1, 8} {
		t.Run(map[int]string{1: "pipeline1", 8: "pipeline8"}[depth], func(t *testing.T) {
			srv, served := enginetest.StartTLSTarget(t)
			leaks := leakCheck(t)
			p := tlsPlan(t, srv, 4, 2)
			p.MaxRequests, p.Pipeline = 300, depth
			res := runTLS(t, context.Background(), trusting(srv), p)
			if res.Responses != 300 || served.Load() != 300 || res.Status[200] != 300 || res.ErrorTotal() != 0 {
				t.Fatalf("responses %d served %d status 200 %d errors %v first %q", res.Responses, served.Load(), res.Status[200], res.Errors, res.FirstConnectErr)
			}
			if res.Connects < 1 || res.Connects > 4 || res.Connect.TotalCount() != int64(res.Connects) {
				t.Errorf("connects %d (%d timed), want one per connection", res.Connects, res.Connect.TotalCount())
			}
			// TLS records (and the handshake) are bigger than the plain
			// requests and responses they carry.
			plain := uint64(len(p.Requests[0].Raw))
			if res.BytesOut <= 300*plain || res.BytesIn <= 300*uint64(len(benchResponse)) {
				t.Errorf("bytes out %d, in %d for 300 requests of %d bytes: not TLS records", res.BytesOut, res.BytesIn, plain)
			}
			leaks()
		})
	}
}

// TestHTTPSClosedFor: 500 ms over https pipelined 8 deep: one handshake
// per connection, every one timed, and the server served what the client
// counted: every response, and at most the requests still in flight at
// the end (the server may not read those before the client closes).
func TestHTTPSClosedFor(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	leaks := leakCheck(t)
	p := tlsPlan(t, srv, 4, 2)
	p.Duration, p.Pipeline = 500*time.Millisecond, 8
	res := runTLS(t, context.Background(), trusting(srv), p)
	got := settleCount(served)
	t.Logf("responses %d, in flight %d, served %d, connect p50 %d µs", res.Responses, res.InFlightAtEnd, got, res.Connect.ValueAtQuantile(50))
	if res.Responses == 0 || got < res.Responses || got > res.Responses+res.InFlightAtEnd || res.Status[200] != res.Responses || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d + %d in flight, served %d, errors %v", res.Responses, res.InFlightAtEnd, got, res.Errors)
	}
	if res.Connects != 4 || res.Connect.TotalCount() != 4 || res.OpenConnsAtEnd != 4 {
		t.Errorf("connects %d (%d timed), open at end %d; want 4 each", res.Connects, res.Connect.TotalCount(), res.OpenConnsAtEnd)
	}
	leaks()
}

// TestHTTPSConnectTimeIncludesHandshake: a server whose handshake takes
// 50 ms: the connect time counts it, as in goroutine mode.
func TestHTTPSConnectTimeIncludesHandshake(t *testing.T) {
	var served atomic.Uint64
	srv := startTLSServer(t, hello(&served), func(srv *httptest.Server) {
		srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			time.Sleep(50 * time.Millisecond)
			return nil, nil
		}}
	})
	p := tlsPlan(t, srv, 2, 1)
	p.MaxRequests = 20
	res := runTLS(t, context.Background(), trusting(srv), p)
	// One connection may answer all 20 before the other's handshake ends
	// (the run then cancels it): one connect or two, each one timed.
	if res.Responses != 20 || res.Connects < 1 || res.Connects > 2 || res.Connect.TotalCount() != int64(res.Connects) || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d, connects %d (%d timed), errors %v", res.Responses, res.Connects, res.Connect.TotalCount(), res.Errors)
	}
	if lo := res.Connect.Min(); lo < 50_000 {
		t.Errorf("shortest connect %d µs, want the handshake's 50 ms in it", lo)
	}
}

// TestHTTPSConnectionClose: a server that closes every connection after
// its response (Connection: close): every request is answered, each on a
// new connection and handshake.
func TestHTTPSConnectionClose(t *testing.T) {
	var served atomic.Uint64
	srv := startTLSServer(t, func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Connection", "close")
		_, _ = w.Write([]byte("Hello, World!"))
	}, nil)
	p := tlsPlan(t, srv, 4, 2)
	p.MaxRequests = 100
	res := runTLS(t, context.Background(), trusting(srv), p)
	t.Logf("responses %d, served %d, connects %d, resent %d, errors %v", res.Responses, served.Load(), res.Connects, res.Resent, res.Errors)
	if res.Responses != 100 || served.Load() != 100 || res.Status[200] != 100 || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d served %d errors %v first %q", res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
	}
	if res.Connects < 100 {
		t.Errorf("connects %d, want one per response", res.Connects)
	}
}

// TestHTTPSLargeBodies: 8 MB request bodies and 300 kB responses over
// TLS: the server waits 50 ms before it reads a body, so the socket takes
// a batch's records in parts (the rest waits for EPOLLOUT), and a
// response is many records read in many reads.
func TestHTTPSLargeBodies(t *testing.T) {
	const respBody, reqBody, n = 300_000, 8 << 20, 12
	var served, got atomic.Uint64
	body := strings.Repeat("x", respBody)
	srv := startTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		n, _ := io.Copy(io.Discard, r.Body)
		got.Add(uint64(n))
		served.Add(1)
		_, _ = io.WriteString(w, body)
	}, nil)
	p := tlsPlan(t, srv, 2, 1)
	req := make([]byte, reqBody)
	host := p.Requests[0].Host
	p.Requests = []engine.Request{{Method: "POST", URI: "/upload", Host: host, Body: req, Raw: wire.EncodeRequest("POST", "/upload", host, nil, req)}}
	p.MaxRequests = n
	res := runTLS(t, context.Background(), trusting(srv), p)
	if res.Responses != n || served.Load() != n || got.Load() != n*reqBody || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d, served %d, body bytes the server read %d, errors %v", res.Responses, served.Load(), got.Load(), res.Errors)
	}
	if res.BytesOut < n*reqBody || res.BytesIn < n*respBody {
		t.Errorf("bytes out %d, in %d", res.BytesOut, res.BytesIn)
	}
}

// TestHTTPSVerifiesByDefault: a certificate no root trusts fails every
// handshake, counted as such and named in the first connect error; -k
// (InsecureSkipVerify) loads the same server, sending the request's host
// as the server name.
func TestHTTPSVerifiesByDefault(t *testing.T) {
	var served atomic.Uint64
	var sni atomic.Value
	srv := startTLSServer(t, hello(&served), func(srv *httptest.Server) {
		srv.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			sni.Store(hello.ServerName)
			return nil, nil
		}}
	})
	leaks := leakCheck(t)
	p := tlsPlan(t, srv, 2, 1)
	p.Duration = time.Second
	res := runTLS(t, context.Background(), New(), p)
	if res.Responses != 0 || served.Load() != 0 || res.Errors[stats.ErrTLSHandshake] == 0 || res.ErrorTotal() != res.Errors[stats.ErrTLSHandshake] {
		t.Fatalf("responses %d served %d errors %v first %q; want an untrusted certificate refused", res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
	}
	if !strings.Contains(res.FirstConnectErr, "tls: failed to verify certificate") || !strings.HasPrefix(res.FirstConnectErr, "connect "+p.Addrs[0].String()+": ") {
		t.Fatalf("first connect error %q does not name the certificate", res.FirstConnectErr)
	}
	leaks()

	p = tlsPlan(t, srv, 2, 1)
	p.Requests[0].Host = "nowait.test"
	p.MaxRequests, p.InsecureSkipVerify = 200, true
	res = runTLS(t, context.Background(), New(), p)
	if res.Responses != 200 || served.Load() != 200 || res.ErrorTotal() != 0 {
		t.Fatalf("insecure: responses %d served %d errors %v first %q", res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
	}
	if got, _ := sni.Load().(string); got != "nowait.test" {
		t.Fatalf("server name sent %q, want the request's host nowait.test", got)
	}
}

// TestHTTPSOpen: the open model over TLS sends the requests due, and the
// server serves what the client counted.
func TestHTTPSOpen(t *testing.T) {
	srv, served := enginetest.StartTLSTarget(t)
	e := trusting(srv)
	enginetest.Tries(t, 3, func(int) string {
		before := served.Load()
		p := tlsPlan(t, srv, 20, 2)
		p.Model, p.RatePerSec, p.Duration = engine.ModelOpen, 1000, time.Second
		res := runTLS(t, context.Background(), e, p)
		got := settleCount(served) - before
		t.Logf("responses %d, in flight %d, served %d, dropped %d, connects %d, send lag p99 %.2f ms, errors %v",
			res.Responses, res.InFlightAtEnd, got, res.Dropped, res.Connects, ms(res.SendLag.ValueAtQuantile(99)), res.Errors)
		if got != res.Responses+res.InFlightAtEnd || res.ErrorTotal() != 0 || res.Connects != 20 {
			t.Fatalf("server served %d, client counted %d + %d in flight, connects %d, errors %v", got, res.Responses, res.InFlightAtEnd, res.Connects, res.Errors)
		}
		if res.Requests != res.Responses+res.InFlightAtEnd {
			t.Fatalf("requests %d, responses %d, in flight %d", res.Requests, res.Responses, res.InFlightAtEnd)
		}
		if n := res.Requests + res.Dropped; n < 995 || n > 1002 {
			t.Fatalf("sent %d + dropped %d; want the 1000 due", res.Requests, res.Dropped)
		}
		if res.Responses < 980 || res.Dropped > 10 {
			return "fewer than 980 responses or more than 10 dropped at 1000/s for 1 s"
		}
		return ""
	})
}

// TestHTTPSHold: 20 connections held over TLS for 1.2 s, each sending a
// request every 100 ms from its handshake on, stay open to the end and
// are closed then. (20 handshakes against the in-process server take
// from 50 ms to 600 ms on a loaded machine.)
func TestHTTPSHold(t *testing.T) {
	var served atomic.Uint64
	var open atomic.Int64
	srv := startTLSServer(t, hello(&served), func(srv *httptest.Server) {
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew:
				open.Add(1)
			case http.StateClosed, http.StateHijacked:
				open.Add(-1)
			}
		}
	})
	leaks := leakCheck(t)
	p := tlsPlan(t, srv, 20, 2)
	p.Model, p.HoldEvery, p.Duration = engine.ModelHold, 100*time.Millisecond, 1200*time.Millisecond
	res := runTLS(t, context.Background(), trusting(srv), p)
	t.Logf("connects %d, open at end %d, peak %d, responses %d, served %d, errors %v, established in %v",
		res.Connects, res.OpenConnsAtEnd, res.PeakOpenConns, res.Responses, served.Load(), res.Errors, res.EstablishedIn)
	if res.Connects != 20 || res.OpenConnsAtEnd != 20 || res.PeakOpenConns != 20 || res.ErrorTotal() != 0 || res.EstablishedIn <= 0 {
		t.Fatalf("connects %d, open at end %d, peak %d, errors %v, established in %v", res.Connects, res.OpenConnsAtEnd, res.PeakOpenConns, res.Errors, res.EstablishedIn)
	}
	if res.Responses < 40 || res.Responses > served.Load() {
		t.Fatalf("responses %d, served %d; want at least 2 per connection", res.Responses, served.Load())
	}
	if !eventually(func() bool { return open.Load() == 0 }) {
		t.Errorf("the server still has %d connections open after the run", open.Load())
	}
	leaks()
}

// TestHTTPSPipelinedBodiesSealedInChunks: 64 requests of 1 MB pipelined
// 16 deep on 2 connections, to a server that reads each body 20 ms late so
// that the socket fills: every one is served whole, and the client seals
// the batch a chunk ahead of the socket instead of copying each 16 MB batch
// whole into ciphertext (the run allocated 325 MB that way, 22 MB now; the request
// bytes laid out once for the pipeline are 17 MB).
func TestHTTPSPipelinedBodiesSealedInChunks(t *testing.T) {
	const reqBody, n, depth = 1 << 20, 64, 16
	var served, got atomic.Uint64
	srv := startTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		k, _ := io.Copy(io.Discard, r.Body)
		got.Add(uint64(k))
		served.Add(1)
		_, _ = w.Write([]byte("ok"))
	}, nil)
	p := tlsPlan(t, srv, 2, 1)
	req := make([]byte, reqBody)
	host := p.Requests[0].Host
	p.Requests = []engine.Request{{Method: "POST", URI: "/upload", Host: host, Body: req, Raw: wire.EncodeRequest("POST", "/upload", host, nil, req)}}
	p.MaxRequests, p.Pipeline = n, depth
	e := trusting(srv)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := runTLS(t, context.Background(), e, p)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("responses %d, served %d, allocated %.1f MB in the run (client and server)", res.Responses, served.Load(), float64(alloc)/1e6)
	if res.Responses != n || served.Load() != n || got.Load() != n*reqBody || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d, served %d, body bytes the server read %d, errors %v", res.Responses, served.Load(), got.Load(), res.Errors)
	}
	if alloc > 48<<20 {
		t.Errorf("the run allocated %.1f MB: the batches were sealed whole, not a chunk at a time", float64(alloc)/1e6)
	}
}
