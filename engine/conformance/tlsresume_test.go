package conformance

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// TLS session resumption, in every mode.

// handshakes is what a TLS server counted: the handshakes it completed,
// those of them that resumed a session, and the requests it answered.
type handshakes struct {
	done, resumed, served atomic.Uint64
}

// closingTLSServer starts a TLS server on 127.0.0.1 (httptest's
// certificate, TLS up to maxVersion) that answers one request a
// connection with Connection: close and closes it, counting its
// handshakes by tls.ConnectionState.DidResume: the server's own view of
// which were resumed. It stops with the test; stop stops it sooner.
func closingTLSServer(t *testing.T, maxVersion uint16) (cert *x509.Certificate, addr string, h *handshakes, stop func()) {
	t.Helper()
	cert, cfg := testCert()
	cfg = cfg.Clone()
	cfg.MaxVersion = maxVersion
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	h = &handshakes{}
	stop = serveEach(t, ln, func(c net.Conn) {
		defer c.Close() // close_notify, then FIN
		tc := c.(*tls.Conn)
		if tc.Handshake() != nil {
			return
		}
		h.done.Add(1)
		if tc.ConnectionState().DidResume {
			h.resumed.Add(1)
		}
		req, err := http.ReadRequest(bufio.NewReader(tc))
		if err != nil {
			return // a connection the run's end closed before its request
		}
		_ = req.Body.Close()
		h.served.Add(1)
		_, _ = tc.Write([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!")) // a failed write shows as a client error
	})
	return cert, ln.Addr().String(), h, stop
}

// TestHTTPSResumesSessions: -n 50 -c 2 over https against a server that
// closes every connection after its response: each request is a connect,
// and every connect after the first ones resumes the session of an
// earlier one (a TLS 1.3 ticket, or a TLS 1.2 one), in every mode, as
// the server saw them; the client counts exactly what the server
// counted. With NoTLSResume (--no-tls-resume) every handshake is full.
func TestHTTPSResumesSessions(t *testing.T) {
	for _, m := range modes {
		for _, v := range []struct {
			name string
			max  uint16
		}{{"tls13", tls.VersionTLS13}, {"tls12", tls.VersionTLS12}} {
			for _, noResume := range []bool{false, true} {
				name := m.name + "/" + v.name + map[bool]string{false: "/resume", true: "/no-resume"}[noResume]
				t.Run(name, func(t *testing.T) {
					cert, addr, h, stop := closingTLSServer(t, v.max)
					p := httpsPlan(addr, cert)
					p.Connections, p.MaxRequests, p.NoTLSResume = 2, 50, noResume
					res := execute(t, context.Background(), m, p)
					stop() // every server goroutine has counted
					t.Logf("responses %d, connects %d, resumed %d; server: handshakes %d, resumed %d, served %d; errors %v",
						res.Responses, res.Connects, res.TLSResumed, h.done.Load(), h.resumed.Load(), h.served.Load(), res.Errors)
					if res.Responses != 50 || h.served.Load() != 50 || res.ErrorTotal() != 0 {
						t.Fatalf("responses %d, served %d, errors %v; want 50 of each, no error", res.Responses, h.served.Load(), res.Errors)
					}
					if res.Connects < 50 {
						t.Errorf("connects %d; want one per request (50), or a few more", res.Connects)
					}
					sameResumed(t, res, h.done.Load(), h.resumed.Load(), p.Connections)
					if noResume {
						if res.TLSResumed != 0 || h.resumed.Load() != 0 {
							t.Errorf("resumed %d (server %d) with NoTLSResume; want every handshake full", res.TLSResumed, h.resumed.Load())
						}
						return
					}
					// The first handshake of each connection has no session
					// yet (both start at once), nor one that started before
					// any ticket came; every later one resumes.
					if full := res.Connects - res.TLSResumed; full > 4 {
						t.Errorf("%d full handshakes of %d connects; want all but the first few resumed", full, res.Connects)
					}
				})
			}
		}
	}
}

// TestHTTPSHoldResumes: held connections the server drops are opened
// again by resuming a session, in every mode, and the resumed counts of
// client and server agree.
func TestHTTPSHoldResumes(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var done, resumed atomic.Uint64
			cert, cfg := testCert()
			ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
			if err != nil {
				t.Fatal(err)
			}
			stop := serveEach(t, ln, func(c net.Conn) {
				defer c.Close()
				tc := c.(*tls.Conn)
				if tc.Handshake() != nil {
					return
				}
				done.Add(1)
				if tc.ConnectionState().DidResume {
					resumed.Add(1)
				}
				time.Sleep(100 * time.Millisecond)
			})
			p := httpsPlan(ln.Addr().String(), cert)
			p.Model, p.Connections, p.Duration = engine.ModelHold, 2, time.Second
			res := execute(t, context.Background(), m, p)
			stop()
			t.Logf("connects %d, resumed %d, closed by the server %d; server: handshakes %d, resumed %d; errors %v",
				res.Connects, res.TLSResumed, res.ServerClosed, done.Load(), resumed.Load(), res.Errors)
			if res.Connects < 4 || res.ErrorTotal() != 0 {
				t.Fatalf("connects %d, errors %v; want the dropped connections opened again, no error", res.Connects, res.Errors)
			}
			sameResumed(t, res, done.Load(), resumed.Load(), p.Connections)
			if res.TLSResumed == 0 || res.Connects-res.TLSResumed > 4 {
				t.Errorf("resumed %d of %d connects; want all but the first few resumed", res.TLSResumed, res.Connects)
			}
			var intervals uint64
			for _, iv := range res.Intervals {
				intervals += iv.TLSResumed
			}
			if intervals != res.TLSResumed {
				t.Errorf("the intervals count %d resumed, the run %d", intervals, res.TLSResumed)
			}
		})
	}
}

// sameResumed checks the client's count of resumed handshakes against the
// server's: the same, but for the handshakes the run's end cut short,
// which the server completed and the client did not count (its handshake
// ended as the run did; at most one per connection): the server's
// handshakes the client did not count as connects.
func sameResumed(t *testing.T, res *stats.Result, srvDone, srvResumed uint64, conns int) {
	t.Helper()
	cut := int64(srvDone) - int64(res.Connects)
	if cut < 0 || cut > int64(conns) {
		t.Errorf("the server completed %d handshakes, the client counted %d connects; want as many, or up to one more per connection (%d) cut by the end", srvDone, res.Connects, conns)
	}
	if srvResumed < res.TLSResumed || int64(srvResumed-res.TLSResumed) > max(cut, 0) {
		t.Errorf("the client counted %d resumed handshakes, the server %d (%d handshakes cut by the end); want the same", res.TLSResumed, srvResumed, cut)
	}
}
