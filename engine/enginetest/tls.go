package enginetest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// StartTLSTarget starts an HTTPS server on 127.0.0.1 with httptest's
// self-signed certificate, which no system root trusts, answering
// "Hello, World!" and counting what it serves. It stops with the test.
func StartTLSTarget(tb testing.TB) (*httptest.Server, *atomic.Uint64) {
	tb.Helper()
	var served atomic.Uint64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte("Hello, World!")) // a failed write shows as a client error
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv, &served
}
