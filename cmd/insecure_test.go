package cmd

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// selfSignedTarget starts an HTTPS server on 127.0.0.1 whose certificate
// no system root trusts, and returns its URL and served count.
func selfSignedTarget(t *testing.T) (string, *atomic.Uint64) {
	t.Helper()
	srv, served := enginetest.StartTLSTarget(t)
	return srv.URL + "/", served
}

// summaryOf parses the --json summary a run printed.
func summaryOf(t *testing.T, stdout, stderr string) stats.Summary {
	t.Helper()
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("no JSON summary (%v)\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	return s
}

// TestUnverifiedCertificateNamesInsecure: against a self-signed server,
// run and hold make no connection, and their one line says why and names
// the flag that skips verification.
func TestUnverifiedCertificateNamesInsecure(t *testing.T) {
	for _, tc := range []struct{ cmd, mode string }{
		{"run", "async"}, {"run", "sync"}, {"run", "goroutine"}, {"hold", "async"}, {"hold", "goroutine"},
	} {
		t.Run(tc.cmd+" "+tc.mode, func(t *testing.T) {
			url, served := selfSignedTarget(t)
			host := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
			checkOneLine(t, badInput{
				args: []string{tc.cmd, url, "--mode", tc.mode, "-c", "2", "-d", "1s"},
				code: ExitRunFailed,
				want: []string{"nowait: no connection could be made to " + host + ": tls: failed to verify certificate: x509: certificate signed by unknown authority; use --cacert FILE (scenario key tls.ca_file) to trust the server's certificate, or -k/--insecure (tls.insecure) to skip verification for a test server\n"},
			})
			if n := served.Load(); n != 0 {
				t.Fatalf("the server served %d requests through an unverified certificate", n)
			}
		})
	}
}

// TestInsecureLoadsASelfSignedServer: with -k (or tls.insecure), each
// command loads the self-signed server and counts what it served.
func TestInsecureLoadsASelfSignedServer(t *testing.T) {
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run("run -k "+mode, func(t *testing.T) {
			url, served := selfSignedTarget(t)
			stdout, stderr, code := runBin(t, "run", url, "--mode", mode, "-c", "2", "-n", "200", "--pipeline", "4", "-k", "--json")
			s := summaryOf(t, stdout, stderr)
			if code != ExitOK || s.Responses != 200 || served.Load() != 200 || s.Status["200"] != 200 || s.ErrorTotal != 0 || s.Connects < 2 {
				t.Fatalf("exit %d, responses %d, served %d, connects %d, errors %v (%s); want 0 and 200 of each", code, s.Responses, served.Load(), s.Connects, s.Errors, stderr)
			}
		})
	}
	t.Run("hold --insecure", func(t *testing.T) {
		url, served := selfSignedTarget(t)
		stdout, stderr, code := runBin(t, "hold", url, "--mode", "goroutine", "-c", "4", "--every", "100ms", "-d", "1s", "--insecure", "--json")
		s := summaryOf(t, stdout, stderr)
		// Each connection sends every 100 ms from its connect on; a
		// response in flight at the end is served but not counted.
		if code != ExitOK || s.Connects != 4 || s.ErrorTotal != 0 || s.Responses < 4 || s.Responses > served.Load() || served.Load()-s.Responses > 4 {
			t.Fatalf("exit %d, connects %d, responses %d, served %d, errors %v (%s)", code, s.Connects, s.Responses, served.Load(), s.Errors, stderr)
		}
	})
	t.Run("compare -k", func(t *testing.T) {
		url, served := selfSignedTarget(t)
		stdout, stderr, code := runBin(t, "compare", url, "--modes", "async,sync,goroutine", "--connections", "2", "-d", "500ms", "--pause", "0s", "-k", "--json")
		var r CompareReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != ExitOK || len(r.Cells) != 3 {
			t.Fatalf("exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
		}
		var counted uint64
		for _, c := range r.Cells {
			if c.Error != "" || c.Summary == nil || c.Summary.Responses == 0 || c.Summary.ErrorTotal != 0 {
				t.Fatalf("cell error %q summary %+v", c.Error, c.Summary)
			}
			counted += c.Summary.Responses
		}
		// Each cell may leave a response in flight per connection at its end.
		if counted > served.Load() || served.Load()-counted > 3*2 {
			t.Fatalf("cells counted %d responses, the server served %d", counted, served.Load())
		}
	})
	t.Run("scenario tls.insecure", func(t *testing.T) {
		url, served := selfSignedTarget(t)
		path := writeFile(t, "tls.yaml", "target: "+url+"\nload: {connections: 2, requests: 150}\ntls: {insecure: true}\n")
		stdout, stderr, code := runBin(t, "run", path, "--json")
		s := summaryOf(t, stdout, stderr)
		if code != ExitOK || s.Responses != 150 || served.Load() != 150 || s.ErrorTotal != 0 {
			t.Fatalf("exit %d, responses %d, served %d, errors %v (%s)", code, s.Responses, served.Load(), s.Errors, stderr)
		}
	})
	t.Run("scenario with -k", func(t *testing.T) {
		url, served := selfSignedTarget(t)
		path := writeFile(t, "tls.yaml", "target: "+url+"\nmode: goroutine\nload: {connections: 2, requests: 150}\n")
		stdout, stderr, code := runBin(t, "run", path, "-k", "--json")
		s := summaryOf(t, stdout, stderr)
		if code != ExitOK || s.Responses != 150 || served.Load() != 150 || s.ErrorTotal != 0 {
			t.Fatalf("exit %d, responses %d, served %d, errors %v (%s)", code, s.Responses, served.Load(), s.Errors, stderr)
		}
	})
}

// TestInsecureChangesNothingForHTTP: -k with an http URL is accepted and
// the run is the same as without it, in every mode.
func TestInsecureChangesNothingForHTTP(t *testing.T) {
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			srv := enginetest.StartTarget(t, target.Config{})
			stdout, stderr, code := runBin(t, "run", srv.URL(), "--mode", mode, "-c", "2", "-n", "100", "-k", "--json")
			s := summaryOf(t, stdout, stderr)
			if code != ExitOK || s.Responses != 100 || srv.Served() != 100 || s.ErrorTotal != 0 {
				t.Fatalf("exit %d, responses %d, served %d, errors %v (%s)", code, s.Responses, srv.Served(), s.Errors, stderr)
			}
		})
	}
}

// TestOtherProtocolServerSaysSo: nowait offers HTTP/1.1 by ALPN, so a
// server that does not speak it refuses the handshake with an error that
// names the protocol, in every mode. (Go's server lets an "h2" server
// fall back to HTTP/1.1, so this one offers only another protocol.)
func TestOtherProtocolServerSaysSo(t *testing.T) {
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
			srv.TLS = &tls.Config{NextProtos: []string{"spdy/3"}}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			_, stderr, code := runBin(t, "run", srv.URL+"/", "--mode", mode, "-c", "1", "-d", "500ms", "-k")
			if code != ExitRunFailed || !strings.Contains(stderr, "no application protocol") {
				t.Fatalf("exit %d, stderr %q; want exit %d naming the protocol", code, stderr, ExitRunFailed)
			}
		})
	}
}
