//go:build linux

package reactor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

// The TLS handshake's ends in this mode: a stop while handshakes run
// (their goroutines end before Run returns), the handoff to the loop.
// The rest of https, the same in every mode, is in engine/conformance.

// silentListener accepts connections and never writes: a handshake with
// it never ends. It holds what it accepted until the test closes it.
func silentListener(t *testing.T) (addr string, closeAll func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	var once sync.Once
	closeAll = func() {
		once.Do(func() {
			_ = ln.Close()
			<-done
			mu.Lock()
			for _, c := range held {
				_ = c.Close()
			}
			mu.Unlock()
		})
	}
	t.Cleanup(closeAll)
	return ln.Addr().String(), closeAll
}

// TestHTTPSStopDuringHandshakes: cancelling the run while 200 handshakes
// are in progress (against a server that never answers them, and against
// a real one 20 ms in) returns at once, and every handshake's goroutine
// and socket are gone.
func TestHTTPSStopDuringHandshakes(t *testing.T) {
	raiseNoFile(t)
	// The in-process server's handshakes (an RSA signature each) share
	// the one P the loops leave free with the client's: a few hundred ms.
	stopLimit := time.Second
	if raceEnabled {
		stopLimit = 3 * time.Second
	}
	t.Run("silent", func(t *testing.T) {
		leaks := leakCheck(t)
		addr, closeSrv := silentListener(t)
		p := newPlan(t, addr, 200, 2)
		p.Scheme, p.InsecureSkipVerify, p.Duration = "https", true, 10*time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		res := runTLS(t, ctx, New(), p)
		noHandshakes(t)
		if took := time.Since(start); took > stopLimit+200*time.Millisecond {
			t.Errorf("run took %v, cancelled at 200 ms", took)
		}
		if res.Connects != 0 || res.ErrorTotal() != 0 || !res.Interrupted {
			t.Errorf("connects %d, errors %v, interrupted %v", res.Connects, res.Errors, res.Interrupted)
		}
		closeSrv()
		leaks()
	})
	t.Run("busy", func(t *testing.T) {
		// An ECDSA certificate: with the test's RSA one, the server's 200
		// signatures take the CPU of a loaded machine for a second, and
		// the stop would measure them.
		var served atomic.Uint64
		srv := startTLSServer(t, hello(&served), func(srv *httptest.Server) {
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{ecdsaCert(t)}}
		})
		leaks := leakCheck(t)
		p := tlsPlan(t, srv, 200, 2)
		p.Duration = 10 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		start := time.Now()
		res := runTLS(t, ctx, trusting(srv), p)
		took := time.Since(start)
		noHandshakes(t)
		t.Logf("took %v, connects %d, responses %d, served %d, errors %v", took, res.Connects, res.Responses, served.Load(), res.Errors)
		if took > stopLimit {
			t.Errorf("run took %v, cancelled at 20 ms", took)
		}
		if res.ErrorTotal() != 0 || res.Connects > 200 {
			t.Errorf("connects %d, errors %v", res.Connects, res.Errors)
		}
		leaks()
	})
}

// ecdsaCert returns a self-signed ECDSA P-256 certificate for 127.0.0.1.
func ecdsaCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "nowait test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// noHandshakes fails the test if a handshake's goroutine is still running:
// Run must not return before they end, as the sockets they read close.
func noHandshakes(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<22)
	if st := string(buf[:runtime.Stack(buf, true)]); strings.Contains(st, "(*tlsLoop).handshake") {
		t.Errorf("a handshake outlived the run:\n%s", st)
	}
}

// TestHTTPSReadsAtHandoff: a TLS 1.2 server that closes each connection
// right after its handshake: the close arrives while the connection is
// being handed to the loop, its epoll edge spent on the handshake's
// goroutine (or its close-notify read along with the server's Finished),
// so only the read the loop makes at the handoff sees it. Held
// connections are then seen closed, and replaced.
func TestHTTPSReadsAtHandoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	srv := startTLSServer(t, hello(new(atomic.Uint64)), nil) // for its certificate
	cfg := srv.TLS.Clone()
	cfg.MaxVersion = tls.VersionTLS12
	var handshakes atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				tc := tls.Server(c, cfg)
				if tc.Handshake() == nil {
					handshakes.Add(1)
				}
				_ = tc.Close()
			}()
		}
	}()
	p := newPlan(t, ln.Addr().String(), 4, 1)
	p.Scheme, p.InsecureSkipVerify = "https", true
	p.Model, p.Duration = engine.ModelHold, 400*time.Millisecond
	res := runTLS(t, context.Background(), New(), p)
	t.Logf("connects %d, open at end %d, server handshakes %d, errors %v", res.Connects, res.OpenConnsAtEnd, handshakes.Load(), res.Errors)
	if res.Connects <= 4 || res.OpenConnsAtEnd == 4 {
		t.Errorf("connects %d, open at end %d: the server's closes went unseen", res.Connects, res.OpenConnsAtEnd)
	}
}

// TestHandshakeTokens: a handshake computes only while it holds one of
// the run's tokens; one waiting for a token takes it once the holder
// waits for its socket (await gives it back), or gives up when its
// context ends.
func TestHandshakeTokens(t *testing.T) {
	cpu := newHandshakeCPU(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &tlsConn{cpu: cpu, ctx: ctx, ready: make(chan struct{}, 1)}
	second := &tlsConn{cpu: cpu, ctx: ctx, ready: make(chan struct{}, 1)}
	if err := first.work(false); err != nil || !first.busy {
		t.Fatalf("first: %v, busy %v", err, first.busy)
	}
	got := make(chan error, 1)
	go func() { got <- second.work(false) }()
	select {
	case err := <-got:
		t.Fatalf("second took a token while the first held the only one (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	waited := make(chan error, 1)
	go func() { waited <- first.await() }() // gives the token back while it waits
	if err := <-got; err != nil || !second.busy {
		t.Fatalf("second: %v, busy %v", err, second.busy)
	}
	first.signal() // the socket is ready: the first waits for the token again
	select {
	case err := <-waited:
		t.Fatalf("first computes again beside the second (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel() // the run stops: the waiting handshake gives up
	if err := <-waited; err != context.Canceled || first.busy {
		t.Fatalf("first after the stop: %v, busy %v", err, first.busy)
	}
	second.idle()
	if cpu.free != 1 || second.busy {
		t.Fatalf("%d tokens free of 1", cpu.free)
	}
}
