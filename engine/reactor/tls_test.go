//go:build linux

package reactor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
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
