package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

// Servers that close over TLS: a close_notify alert, then FIN.

// TestHTTPSHoldServerCloses: a server that drops held connections (here
// 200 ms after each handshake) closes them with a close_notify alert
// before its FIN: read through TLS, that is the server's close, as over
// plain TCP (not bytes nobody asked for), and each connection is opened
// again. Every connect ends lost or open at the end (a reconnect the end
// cut short is no connect), and every mode counts each loss as closed by
// the server, not as an error, over TLS as over plain TCP
// (TestHoldServerCloses).
func TestHTTPSHoldServerCloses(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cert, addr := dropAfterHandshake(t, 200*time.Millisecond)
			p := httpsPlan(addr, cert)
			p.Model, p.Duration = engine.ModelHold, time.Second
			res := execute(t, context.Background(), m, p)
			t.Logf("connects %d, open at end %d, closed by the server %d, errors %v", res.Connects, res.OpenConnsAtEnd, res.ServerClosed, res.Errors)
			lost := res.Connects - uint64(res.OpenConnsAtEnd)
			if res.OpenConnsAtEnd > p.Connections || lost < 4 {
				t.Errorf("connects %d, open at end %d; want each of the 4 connections lost and opened again", res.Connects, res.OpenConnsAtEnd)
			}
			if res.ServerClosed != lost || res.ErrorTotal() != 0 {
				t.Errorf("closed by the server %d, errors %v for %d connections lost; want each counted closed by the server, and no error", res.ServerClosed, res.Errors, lost)
			}
		})
	}
}

// dropAfterHandshake starts a TLS server on 127.0.0.1 that completes each
// handshake and closes the connection d later: close_notify, then FIN. It
// returns the certificate it presents (httptest's), to trust, and its
// address. It stops with the test.
func dropAfterHandshake(t *testing.T, d time.Duration) (*x509.Certificate, string) {
	t.Helper()
	cert, cfg := testCert()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	serveEach(t, ln, dropAfter(d))
	return cert, ln.Addr().String()
}

// dropAfter serves a TLS connection by closing it d after its handshake.
func dropAfter(d time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		if c.(*tls.Conn).Handshake() == nil {
			time.Sleep(d)
		}
	}
}

// testCert returns httptest's self-signed certificate and a server
// configuration that presents it.
func testCert() (*x509.Certificate, *tls.Config) {
	certs := httptest.NewUnstartedServer(nil)
	certs.StartTLS()
	certs.Close()
	return certs.Certificate(), certs.TLS
}

// serveEach accepts on ln until it closes, serving each connection on a
// goroutine of its own. stop closes ln and waits for every goroutine; the
// test's cleanup calls it too.
func serveEach(t *testing.T, ln net.Listener, serve func(net.Conn)) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // owned by the test: ends when the listener closes
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(c)
			}()
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ln.Close()
			wg.Wait()
		})
	}
	t.Cleanup(stop)
	return stop
}

// TestHTTPSBodyToClose: a response whose body ends where the server
// closes the connection is complete over TLS as over TCP: the server's
// close_notify then FIN is the end of the body, not a failed read.
func TestHTTPSBodyToClose(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var served atomic.Uint64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				nc, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer nc.Close() // close_notify, then FIN: the end of the body
				served.Add(1)
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nHello, World!") // a failed write shows as a client error
				_ = buf.Flush()
			}))
			srv.StartTLS()
			defer srv.Close()
			p := httpsPlan(srv.Listener.Addr().String(), srv.Certificate())
			p.MaxRequests = 50
			res := execute(t, context.Background(), m, p)
			t.Logf("responses %d, connects %d, errors %v, bytes in %d", res.Responses, res.Connects, res.Errors, res.BytesIn)
			if res.Responses != 50 || served.Load() != 50 || res.Status[200] != 50 || res.ErrorTotal() != 0 {
				t.Fatalf("responses %d served %d errors %v; want 50 bodies ended by the close", res.Responses, served.Load(), res.Errors)
			}
		})
	}
}
