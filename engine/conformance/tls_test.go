package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
	"github.com/nowait/nowait/target"
)

// HTTPS in every mode: the cells over TLS against the built-in target
// (TLS: true), and what only https has (certificates, the server name,
// handshakes that fail, hang or are stopped). Where the modes differ, the
// mode table says so (handshakeTimeout, budgetStopsHandshakes).

// overTLS reports whether p is an https plan.
func overTLS(p *engine.Plan) bool { return p.Scheme == "https" }

// httpsPlan returns enginetest.Plan over https against addr, trusting
// cert alone (engine.Plan.RootCAs), or the system roots when cert is nil.
func httpsPlan(addr string, cert *x509.Certificate) *engine.Plan {
	p := enginetest.Plan(addr)
	p.Scheme, p.Target = "https", "https://"+addr+"/"
	if cert != nil {
		p.RootCAs = x509.NewCertPool()
		p.RootCAs.AddCert(cert)
	}
	return p
}

// TestConformanceTLS runs every cell but those against a closed port over
// https, in every mode, with the same checks as over http: what the
// target served against what the client counted.
func TestConformanceTLS(t *testing.T) {
	primeTLS(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, c := range cells {
				if !c.closed {
					t.Run(c.name, func(t *testing.T) { runCell(t, m, c, true) })
				}
			}
		})
	}
}

// execute runs p in mode m and fails the test on an error.
func execute(t *testing.T, ctx context.Context, m mode, p *engine.Plan) *stats.Result {
	t.Helper()
	res, err := engine.Execute(ctx, m.new(), p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestHTTPSUntrustedRefused: a certificate no root trusts fails every
// handshake, counted as tls_handshake and nothing else, named in the
// first connect error; the refused handshakes' bytes went on the wire,
// and the target served nothing.
func TestHTTPSUntrustedRefused(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			primeTLS(t)
			before := snapshot()
			srv, err := target.Start("127.0.0.1:0", target.Config{TLS: true})
			if err != nil {
				t.Fatal(err)
			}
			p := httpsPlan(srv.Addr(), nil)
			// Handshakes took up to 1 s under -race on a loaded machine.
			p.Connections, p.Duration = 2, 2*time.Second
			res := execute(t, context.Background(), m, p)
			served := closeTarget(t, srv)
			fails := res.Errors[stats.ErrTLSHandshake]
			t.Logf("errors %v, first %q, bytes out %d in %d", res.Errors, res.FirstConnectErr, res.BytesOut, res.BytesIn)
			if res.Responses != 0 || served != 0 || res.Connects != 0 || fails == 0 || res.ErrorTotal() != fails {
				t.Errorf("responses %d served %d connects %d errors %v first %q; want an untrusted certificate refused",
					res.Responses, served, res.Connects, res.Errors, res.FirstConnectErr)
			}
			if !strings.Contains(res.FirstConnectErr, "tls: failed to verify certificate") || !strings.HasPrefix(res.FirstConnectErr, "connect "+p.Addrs[0].String()+": ") {
				t.Errorf("first connect error %q does not name the address and the certificate", res.FirstConnectErr)
			}
			// A ClientHello each out, the server's certificate back.
			if res.BytesOut < 100*fails || res.BytesIn < 500*fails {
				t.Errorf("bytes out %d in %d for %d refused handshakes; want the handshakes' bytes", res.BytesOut, res.BytesIn, fails)
			}
			checkNoLeak(t, before, m.name == "sync")
		})
	}
}

// TestHTTPSInsecureSendsHost: with InsecureSkipVerify a server whose
// certificate nothing trusts is loaded all the same, and the server name
// sent (SNI) is still the request's host. net/http's GetConfigForClient
// sees the name, so the server is httptest's.
func TestHTTPSInsecureSendsHost(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, served := enginetest.StartTLSTarget(t)
			var sni atomic.Value
			srv.TLS.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				sni.Store(hello.ServerName)
				return nil, nil
			}
			p := httpsPlan(srv.Listener.Addr().String(), nil)
			p.Requests[0].Host = "nowait.test"
			p.MaxRequests, p.InsecureSkipVerify = 200, true
			res := execute(t, context.Background(), m, p)
			if res.Responses != 200 || served.Load() != 200 || res.Status[200] != 200 || res.ErrorTotal() != 0 {
				t.Errorf("responses %d served %d errors %v first %q; want 200 of each and no error",
					res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
			}
			if got, _ := sni.Load().(string); got != "nowait.test" {
				t.Errorf("server name sent %q, want the request's host nowait.test", got)
			}
		})
	}
}

// silentListener listens on 127.0.0.1 and never accepts: the kernel
// completes the TCP handshakes (into the accept queue), and nobody ever
// answers a ClientHello. The test closes it before it checks for leaks.
func silentListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// checkCountedConnects checks the connects of a run over TLS bounded by
// its request count on conns connections: at most one each, and each
// timed. Not always one each: in every mode a connection whose handshake
// would end after the budget is spent is stopped or never made.
func checkCountedConnects(t *testing.T, res *stats.Result, conns int) {
	t.Helper()
	if res.Connects < 1 || res.Connects > uint64(conns) || res.PeakOpenConns > conns {
		t.Errorf("connects %d, peak open %d; want at most one per connection (%d)", res.Connects, res.PeakOpenConns, conns)
	}
	if res.Connect.TotalCount() != int64(res.Connects) {
		t.Errorf("%d connect times for %d connects", res.Connect.TotalCount(), res.Connects)
	}
}

// primeTLS opens the runtime's netpoller (its epoll fd and eventfd),
// which stays open once opened, before the first snapshot of a test, so
// that it does not show as a leak.
func primeTLS(t *testing.T) {
	t.Helper()
	primeOnce.Do(func() {
		if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
			ln.Close()
		}
	})
}

var primeOnce sync.Once

// TestHTTPSHandshakeTimeout: a server that never speaks TLS fails each
// handshake when the connect timeout runs out, counted as a connect
// timeout and nothing else, said in the first connect error (each mode
// its own words: handshakeTimeout); the run ends on time and leaves
// nothing behind.
func TestHTTPSHandshakeTimeout(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			primeTLS(t)
			before := snapshot()
			ln := silentListener(t)
			p := httpsPlan(ln.Addr().String(), nil)
			p.InsecureSkipVerify = true
			p.ConnectTimeout, p.Duration = 300*time.Millisecond, time.Second
			start := time.Now()
			res := execute(t, context.Background(), m, p)
			took := time.Since(start)
			t.Logf("took %s, errors %v, first %q", took, res.Errors, res.FirstConnectErr)
			// Each connection fails at 0.3 s, and again 0.3 s after each backoff.
			if timeouts := res.Errors[stats.ErrConnectTimeout]; timeouts < uint64(p.Connections) || timeouts != res.ErrorTotal() || res.Connects != 0 || res.Requests != 0 {
				t.Errorf("errors %v, connects %d, requests %d; want connect timeouts only", res.Errors, res.Connects, res.Requests)
			}
			if took > 1500*time.Millisecond {
				t.Errorf("a 1 s run took %s", took)
			}
			if !strings.HasPrefix(res.FirstConnectErr, "connect "+p.Addrs[0].String()+": ") || !strings.HasSuffix(res.FirstConnectErr, m.handshakeTimeout) {
				t.Errorf("first connect error %q; want it to name the address and end %q", res.FirstConnectErr, m.handshakeTimeout)
			}
			ln.Close()
			checkNoLeak(t, before, m.name == "sync")
		})
	}
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

// TestHTTPSBytesOnTheWire: -n 300 over https, one request a connection
// and pipelined 8 deep, is answered in full, and the bytes counted are
// the TLS records on the wire, handshakes included: what the server read
// and wrote under its TLS (httptest, whose listener can be wrapped).
func TestHTTPSBytesOnTheWire(t *testing.T) {
	for _, m := range modes {
		for _, depth := range []int{1, 8} {
			t.Run(m.name+"/pipeline"+map[int]string{1: "1", 8: "8"}[depth], func(t *testing.T) {
				primeTLS(t)
				before := snapshot()
				var served, srvIn, srvOut atomic.Uint64
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					served.Add(1)
					_, _ = w.Write([]byte("Hello, World!")) // a failed write shows as a client error
				}))
				srv.Listener = wireCounter{srv.Listener, &srvIn, &srvOut}
				srv.StartTLS()
				p := httpsPlan(srv.Listener.Addr().String(), srv.Certificate())
				p.MaxRequests, p.Pipeline = 300, depth
				res := execute(t, context.Background(), m, p)
				srv.Close()
				t.Logf("responses %d, connects %d, bytes out %d in %d, server read %d wrote %d, connect p50 %d µs",
					res.Responses, res.Connects, res.BytesOut, res.BytesIn, srvIn.Load(), srvOut.Load(), res.Connect.ValueAtQuantile(50))
				if res.Responses != 300 || served.Load() != 300 || res.Status[200] != 300 || res.ErrorTotal() != 0 {
					t.Fatalf("responses %d served %d errors %v first %q", res.Responses, served.Load(), res.Errors, res.FirstConnectErr)
				}
				checkCountedConnects(t, res, 4)
				// TLS records are bigger than the plain requests and
				// responses they carry.
				if res.BytesOut <= 300*uint64(len(p.Requests[0].Raw)) || res.BytesIn <= 300*uint64(len(enginetest.CannedResponse)) {
					t.Errorf("bytes out %d, in %d for 300 requests of %d bytes: not TLS records", res.BytesOut, res.BytesIn, len(p.Requests[0].Raw))
				}
				// The server answers the client's close with a close_notify
				// alert (24 bytes in TLS 1.3) that reaches a closed socket:
				// the only bytes on the wire the client does not read, but
				// for the handshakes the run stopped once its 300 answers
				// were in (the reactor's loop with its share spent stops
				// those in progress): their ClientHello went on the wire and
				// is counted, though the server may not have read it before
				// the close, and the client did not read their answer.
				stopped := 4 - res.Connects
				out, in, read, wrote := res.BytesOut, res.BytesIn, srvIn.Load(), srvOut.Load()
				if out < read || out-read > stopped*2048 || in > wrote || wrote-in > 24*res.Connects+stopped*8192 {
					t.Errorf("client counted out %d in %d, server read %d wrote %d on the wire (%d handshakes stopped)", out, in, read, wrote, stopped)
				}
				checkNoLeak(t, before, m.name == "sync")
			})
		}
	}
}

// TestHTTPSConnectTimeIncludesHandshake: against a server whose handshake
// takes 50 ms (GetConfigForClient sleeps), the connect time counts it.
func TestHTTPSConnectTimeIncludesHandshake(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, served := enginetest.StartTLSTarget(t)
			srv.TLS.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
				time.Sleep(50 * time.Millisecond)
				return nil, nil
			}
			p := httpsPlan(srv.Listener.Addr().String(), srv.Certificate())
			p.Connections, p.MaxRequests = 2, 20
			res := execute(t, context.Background(), m, p)
			if res.Responses != 20 || served.Load() != 20 || res.ErrorTotal() != 0 {
				t.Fatalf("responses %d, served %d, errors %v", res.Responses, served.Load(), res.Errors)
			}
			checkCountedConnects(t, res, 2)
			if lo := time.Duration(res.Connect.Min()) * time.Microsecond; lo < 50*time.Millisecond {
				t.Errorf("shortest connect %s, want the handshake's 50 ms in it", lo)
			}
		})
	}
}
