package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestHTTPSBodyAndCloseNotifyInOneRead: a TLS 1.2 server whose last
// response and close_notify alert reach the client together (one TCP
// write). crypto/tls then returns the response's bytes and io.EOF from
// one Read: the bytes still end the response, which is counted, and the
// close is the server's, not a failed read.
func TestHTTPSBodyAndCloseNotifyInOneRead(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cert, addr, served := coalescingTLS12(t, []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nHello"))
			p := httpsPlan(addr, cert)
			p.MaxRequests = 30
			res := execute(t, context.Background(), m, p)
			t.Logf("responses %d, connects %d, served %d, errors %v", res.Responses, res.Connects, served.Load(), res.Errors)
			if res.Responses != 30 || res.Status[200] != 30 || res.ErrorTotal() != 0 {
				t.Fatalf("responses %d (200: %d), served %d, errors %v; want 30 responses and no error", res.Responses, res.Status[200], served.Load(), res.Errors)
			}
		})
	}
}

// coalescingTLS12 starts a TLS 1.2 server on 127.0.0.1 that answers each
// connection's first request with resp and closes it, its response and
// close_notify alert sent in one write to the socket. It returns the
// certificate to trust, the address and the count of responses sent. It
// stops with the test.
func coalescingTLS12(t *testing.T, resp []byte) (cert *x509.Certificate, addr string, served *atomic.Uint64) {
	t.Helper()
	cert, base := testCert()
	cfg := base.Clone()
	cfg.MaxVersion = tls.VersionTLS12
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served = new(atomic.Uint64)
	serveEach(t, ln, func(raw net.Conn) { // ends after one answer, or the client's close
		hc := &holdingConn{Conn: raw}
		tc := tls.Server(hc, cfg)
		defer tc.Close() // close_notify, held with the response, then all in one write
		if tc.Handshake() != nil {
			return
		}
		buf := make([]byte, 4096)
		var got []byte
		for !bytes.Contains(got, []byte("\r\n\r\n")) {
			n, err := tc.Read(buf)
			if err != nil {
				return
			}
			got = append(got, buf[:n]...)
		}
		hc.hold = true
		if _, err := tc.Write(resp); err == nil {
			served.Add(1)
		}
	})
	return cert, ln.Addr().String(), served
}

// holdingConn holds what is written once hold is set, and writes it all
// at once when closed.
type holdingConn struct {
	net.Conn
	hold bool
	held []byte
}

func (h *holdingConn) Write(b []byte) (int, error) {
	if h.hold {
		h.held = append(h.held, b...)
		return len(b), nil
	}
	return h.Conn.Write(b)
}

func (h *holdingConn) Close() error {
	if len(h.held) > 0 {
		_ = h.Conn.SetWriteDeadline(time.Time{}) // crypto/tls's Close set it to now
		_, _ = h.Conn.Write(h.held)
	}
	return h.Conn.Close()
}
