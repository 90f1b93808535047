package target

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// trusting returns a TLS client config that trusts only s's certificate
// and checks it for serverName.
func trusting(s *Server, serverName string) *tls.Config {
	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	return &tls.Config{RootCAs: roots, ServerName: serverName}
}

// dialTLS connects to the TLS target, verifying its certificate for
// 127.0.0.1, with a deadline on every operation.
func dialTLS(t *testing.T, s *Server, d time.Duration) *tls.Conn {
	t.Helper()
	raw, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cfg := trusting(s, "127.0.0.1")
	cfg.NextProtos = []string{"h2", "http/1.1"}
	c := tls.Client(raw, cfg)
	t.Cleanup(func() { raw.Close() })
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
		t.Fatalf("ALPN chose %q of h2 and http/1.1; want http/1.1, all the target speaks", p)
	}
	return c
}

// TestTLSServesAndCounts: a Go client that trusts only the exposed
// certificate gets verified HTTPS responses from 127.0.0.1 and from
// localhost, and the target counts each one; a client that does not trust
// it is refused at the handshake, which the target counts as a ConnErr.
func TestTLSServesAndCounts(t *testing.T) {
	// fasthttp answers the failed handshake below with a 400 that has a
	// Date, which starts fasthttp's process-wide Date updater: start it
	// first, so start's check does not count it as the target's.
	(&fasthttp.ResponseHeader{}).Header()
	s := start(t, Config{TLS: true, BodySize: 100})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %q; want https://127.0.0.1:PORT/", s.URL())
	}
	_, port, _ := net.SplitHostPort(s.Addr())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: trusting(s, "")}}
		for range 10 {
			resp, err := cl.Get("https://" + net.JoinHostPort(host, port) + "/")
			if err != nil {
				t.Fatalf("%s: %v", host, err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || len(b) != 100 || resp.TLS == nil || !resp.TLS.HandshakeComplete {
				t.Fatalf("%s: status %d, %d bytes, TLS %v, %v; want 200 with 100 bytes over TLS", host, resp.StatusCode, len(b), resp.TLS != nil, err)
			}
		}
		cl.CloseIdleConnections()
	}
	if st := s.Stats(); st.Served != 20 || st.Accepted != 2 || st.ConnErrs != 0 {
		t.Fatalf("stats %+v; want 20 served on 2 connections, no errors", st)
	}

	// Not trusted: the client refuses the certificate, nothing is served.
	_, err := (&http.Client{Timeout: 2 * time.Second}).Get(s.URL())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("GET without the certificate: %v; want an unknown authority", err)
	}
	waitFor(t, func() bool { return s.Stats().ConnErrs == 1 })
	if st := s.Stats(); st.Served != 20 || st.Accepted != 3 {
		t.Fatalf("stats %+v; want still 20 served, 3 accepted", st)
	}
}

// TestTLSCertificate checks the certificate itself: P-256, valid for
// 127.0.0.1, ::1 and localhost and nothing else, from a minute ago for
// CertValidity, and the PEM is the same certificate.
func TestTLSCertificate(t *testing.T) {
	t0 := time.Now()
	s := start(t, Config{TLS: true})
	cert := s.Certificate()
	if k, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Fatalf("public key %T; want ECDSA P-256", cert.PublicKey)
	}
	if b := cert.NotBefore; b.After(t0.Add(-59*time.Second)) || b.Before(t0.Add(-2*time.Minute)) {
		t.Errorf("NotBefore %s; want a minute before %s", b, t0)
	}
	if a := cert.NotAfter; a.Before(t0.Add(CertValidity-time.Second)) || a.After(time.Now().Add(CertValidity)) {
		t.Errorf("NotAfter %s; want %s after %s", a, CertValidity, t0)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	for _, name := range []string{"127.0.0.2", "example.com"} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err == nil {
			t.Errorf("verify for %s succeeded; want a name mismatch", name)
		}
	}
	block, rest := pem.Decode(s.CertificatePEM())
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 || !bytes.Equal(block.Bytes, cert.Raw) {
		t.Fatalf("CertificatePEM is not the certificate: %q", s.CertificatePEM())
	}

	plain := start(t, Config{})
	if plain.Certificate() != nil || plain.CertificatePEM() != nil || !strings.HasPrefix(plain.URL(), "http://") {
		t.Fatalf("a plain target has a certificate or URL %q", plain.URL())
	}
}

// TestTLSListenHostInCertificate: a target listening on a named host
// or a specific address has it in its certificate too, an unspecified
// address adds nothing, and a host already in it is not repeated.
func TestTLSListenHostInCertificate(t *testing.T) {
	ss, err := newSelfSigned("192.0.2.7", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.cert.VerifyHostname("192.0.2.7"); err != nil {
		t.Error(err)
	}
	ss, err = newSelfSigned("box.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.cert.VerifyHostname("box.example"); err != nil {
		t.Error(err)
	}
	for _, host := range []string{"0.0.0.0", "::", "", "127.0.0.1", "localhost"} {
		ss, err = newSelfSigned(host, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(ss.cert.IPAddresses) != 2 || len(ss.cert.DNSNames) != 1 {
			t.Errorf("listening on %q: IPs %v, names %v; want 127.0.0.1, ::1 and localhost, once each", host, ss.cert.IPAddresses, ss.cert.DNSNames)
		}
	}
}

// TestTLSFaults gives requests over TLS each fault whose bytes the target
// writes itself, and checks the client sees it through TLS: a reset is a
// TCP reset (the target closes the TCP socket under TLS with SO_LINGER 0),
// a short body ends with a clean close, a 503 is served and counted.
func TestTLSFaults(t *testing.T) {
	for _, tc := range []struct {
		kind   FaultKind
		served uint64
		check  func(s *Server, data []byte, err error) string
	}{
		{FaultReset, 0, func(s *Server, data []byte, err error) string {
			if !errors.Is(err, syscall.ECONNRESET) || !bytes.HasPrefix(s.rawResp, data) || len(data) != s.rawHalf {
				return "want the first half of the response, then ECONNRESET"
			}
			return ""
		}},
		{FaultShortBody, 0, func(s *Server, data []byte, err error) string {
			if err != io.EOF || !bytes.Equal(data, s.rawResp[:s.rawHalf]) {
				return "want the first half of the response, then EOF"
			}
			return ""
		}},
		{Fault503, 1, func(s *Server, data []byte, err error) string {
			if err != nil || statusOf(data) != 503 {
				return "want a whole 503"
			}
			return ""
		}},
	} {
		s := start(t, Config{TLS: true, BodySize: 1000, Faults: []Fault{{tc.kind, 100}}})
		c := dialTLS(t, s, 2*time.Second)
		if _, err := io.WriteString(c, reqKeepAlive); err != nil {
			t.Fatal(err)
		}
		data, _, err := readResponse(c)
		if msg := tc.check(s, data, err); msg != "" {
			t.Errorf("%s: read %d bytes %.60q, then %v; %s", tc.kind, len(data), data, err, msg)
		}
		if st := s.Stats(); st.Faults[tc.kind] != 1 || st.Served != tc.served {
			t.Errorf("%s: stats %+v; want the fault once, %d served", tc.kind, st, tc.served)
		}
	}
}

// TestTLSHangEndsOnClose: Close ends a hang over TLS at once.
func TestTLSHangEndsOnClose(t *testing.T) {
	s := start(t, Config{TLS: true, Faults: []Fault{{FaultHang, 100}}})
	c := dialTLS(t, s, 3*time.Second)
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Stats().Faults[FaultHang] == 1 })
	t0 := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); isTimeout(err) || time.Since(t0) > time.Second {
		t.Fatalf("client still waiting %s after Close: %v", time.Since(t0), err)
	}
}

// TestTLSRefuse: a refusal over TLS refuses dials, keeps an open TLS
// connection serving, and TLS works again on the same port after it.
func TestTLSRefuse(t *testing.T) {
	const refuse, every = 300 * time.Millisecond, time.Second
	s := start(t, Config{TLS: true, Refuse: refuse, RefuseEvery: every})
	kept := dialTLS(t, s, 3*time.Second)
	get(t, kept)

	time.Sleep(time.Until(s.start.Add(every)))
	waitFor(t, func() bool { return s.Stats().Refusals == 1 })
	_, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if in := time.Since(s.start); err == nil && in > every+refuse {
		t.Skipf("dialled at %s, after the refusal: machine too busy to test it", in)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial during the refusal at %s: %v; want connection refused", time.Since(s.start), err)
	}
	get(t, kept)

	time.Sleep(time.Until(s.start.Add(every + refuse)))
	var c *tls.Conn
	waitFor(t, func() bool {
		c, err = tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", s.Addr(), trusting(s, "127.0.0.1"))
		return err == nil
	})
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	get(t, c)
	if st := s.Stats(); st.Refusals != 1 || st.Served != 3 || st.ListenErrs != 0 || st.Accepted != 2 || st.ConnErrs != 0 {
		t.Fatalf("stats %+v; want 1 refusal, 3 served, 2 accepted, no errors", st)
	}
}
