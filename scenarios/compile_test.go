package scenarios

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

func TestCompileCheckout(t *testing.T) {
	s, err := Load("../examples/checkout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Compile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("plan does not validate: %v", err)
	}
	if p.Target != "http://127.0.0.1:8080" || p.Scheme != "http" || len(p.Addrs) != 1 ||
		p.Addrs[0] != netip.MustParseAddrPort("127.0.0.1:8080") {
		t.Errorf("target: %q %q %v", p.Target, p.Scheme, p.Addrs)
	}
	if p.Model != engine.ModelOpen || p.RatePerSec != 2000 || p.Connections != 64 || p.Duration != 30*time.Second ||
		p.Warmup != 5*time.Second || p.Timeout != 2*time.Second || p.ConnectTimeout != time.Second {
		t.Errorf("load: %+v", p)
	}
	if len(p.Requests) != 3 {
		t.Fatalf("requests: %d", len(p.Requests))
	}
	body, err := os.ReadFile("../examples/bodies/checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /products?page=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: nowait\r\n\r\n",
		"GET /cart HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: nowait\r\nCookie: session=demo\r\n\r\n",
		"POST /checkout HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: nowait\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n" + string(body),
	}
	weights := []int{6, 3, 1}
	for i, r := range p.Requests {
		if string(r.Raw) != want[i] {
			t.Errorf("request %d:\n got  %q\n want %q", i, r.Raw, want[i])
		}
		if r.Weight != weights[i] || r.Host != "127.0.0.1:8080" {
			t.Errorf("request %d: weight %d host %q", i, r.Weight, r.Host)
		}
	}
	if p.Requests[2].Method != "POST" || string(p.Requests[2].Body) != string(body) || p.Requests[2].URI != "/checkout" {
		t.Errorf("request 2: %+v", p.Requests[2])
	}
}

// TestCompileDefaults: a scenario with only a target compiles to one GET
// of the target's path and query, with the engine's defaults.
func TestCompileDefaults(t *testing.T) {
	s := &Scenario{Target: "http://127.0.0.1:9/a/b?q=1"}
	p, err := s.Compile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Model != engine.ModelClosed || p.Connections != engine.DefaultConnections || p.Duration != 0 ||
		p.DurationOrDefault() != engine.DefaultDuration || p.TimeoutOrDefault() != engine.DefaultTimeout {
		t.Errorf("defaults: %+v", p)
	}
	want := "GET /a/b?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUser-Agent: nowait\r\n\r\n"
	if len(p.Requests) != 1 || string(p.Requests[0].Raw) != want || p.Requests[0].Weight != 1 {
		t.Errorf("requests: %+v", p.Requests)
	}
	// A rate without a model means the open model.
	s = &Scenario{Target: "http://127.0.0.1/", Load: LoadSpec{Rate: 10, SourceIPs: []netip.Addr{netip.MustParseAddr("127.0.0.2")}}}
	if p, err = s.Compile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.Model != engine.ModelOpen || p.RatePerSec != 10 || p.Addrs[0].Port() != 80 || len(p.SourceAddrs) != 1 {
		t.Errorf("open: %+v", p)
	}
}

func TestCompileHoldAndStages(t *testing.T) {
	s := &Scenario{Target: "http://127.0.0.1:8080/", Load: LoadSpec{Model: engine.ModelHold, Connections: 500, ConnectRate: 100, Every: time.Second}}
	p, err := s.Compile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Model != engine.ModelHold || p.ConnectRate != 100 || p.HoldEvery != time.Second || p.Connections != 500 {
		t.Errorf("hold: %+v", p)
	}
	s, err = Load("../examples/ramp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p, err = s.Compile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.Stages) != 4 || p.Stages[2] != (engine.Stage{Duration: 30 * time.Second, Target: 5000}) || p.DurationOrDefault() != 90*time.Second {
		t.Errorf("stages: %+v", p.Stages)
	}
}

func TestCompileLocalhost(t *testing.T) {
	s := &Scenario{Target: "http://localhost:8080/"}
	p, err := s.Compile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Addrs[0].Addr(); !a.IsLoopback() || p.Addrs[0].Port() != 8080 {
		t.Errorf("localhost resolved to %v", p.Addrs)
	}
	if !strings.Contains(string(p.Requests[0].Raw), "Host: localhost:8080\r\n") {
		t.Errorf("host header: %q", p.Requests[0].Raw)
	}
}

// fakeResolver answers from a map, so no test sends a DNS query.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := f[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestCompileResolve(t *testing.T) {
	r := fakeResolver{"svc.test": {netip.MustParseAddr("::ffff:127.0.0.5"), netip.MustParseAddr("127.0.0.6")}}
	s := &Scenario{Target: "https://svc.test/", Mode: ModeGoroutine}
	p, err := s.CompileWith(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Scheme != "https" || len(p.Addrs) != 1 || p.Addrs[0] != netip.MustParseAddrPort("127.0.0.5:443") {
		t.Errorf("addrs %v scheme %q", p.Addrs, p.Scheme)
	}
	s = &Scenario{Target: "http://nosuch.invalid:8080/"}
	_, err = s.CompileWith(context.Background(), r)
	if err == nil || err.Error() != `cannot resolve host "nosuch.invalid": no such host` || !errors.Is(err, ErrResolve) {
		t.Errorf("got %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	// Validate runs first: nothing is resolved for an invalid scenario.
	s := &Scenario{Target: "http://127.0.0.1/", Load: LoadSpec{Connections: -1}}
	if _, err := s.Compile(context.Background()); err == nil || err.Error() != "load.connections: must be an integer of at least 1, got -1" {
		t.Errorf("got %v", err)
	}
	// A body file removed between Validate and Compile's read.
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	if err := os.WriteFile(body, []byte("{}"), 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	s = &Scenario{Target: "http://127.0.0.1/", Requests: []Request{{Method: "POST", BodyFile: body}}}
	_, err := s.Compile(context.Background())
	want := "requests[0].body_file: cannot read " + body + ": permission denied"
	if err == nil || err.Error() != want || !errors.Is(err, ErrBodyFile) {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestSourceIPRangesAndFamilies(t *testing.T) {
	ips, err := ParseSourceIPs("127.0.0.2-127.0.0.4, 127.0.1.1")
	if err != nil || len(ips) != 4 || ips[2].String() != "127.0.0.4" || ips[3].String() != "127.0.1.1" {
		t.Fatalf("got %v, %v", ips, err)
	}
	for _, bad := range []string{"", "127.0.0.9-127.0.0.2", "127.0.0.1-::1", "10.0.0.0-10.2.0.0", "nope"} {
		if _, err := ParseSourceIPs(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: err %v, want ErrInvalid", bad, err)
		}
	}
	s := &Scenario{Target: "http://127.0.0.1:8080/", Load: LoadSpec{SourceIPs: []netip.Addr{netip.MustParseAddr("::1")}}}
	if _, err := s.Compile(context.Background()); err == nil || !strings.Contains(err.Error(), "family") {
		t.Errorf("an IPv6 source for an IPv4 target: %v", err)
	}
}

// TestCompileTLSInsecure: tls.insecure, from the file or from --set,
// reaches the plan; without it the plan verifies certificates.
func TestCompileTLSInsecure(t *testing.T) {
	cases := []struct {
		name, src, set string
		want           bool
	}{
		{"default", "target: https://127.0.0.1:8443/\nmode: goroutine\n", "", false},
		{"file", "target: https://127.0.0.1:8443/\nmode: goroutine\ntls: {insecure: true}\n", "", true},
		{"set", "target: https://127.0.0.1:8443/\nmode: goroutine\n", "tls.insecure=true", true},
		{"set overrides file", "target: https://127.0.0.1:8443/\nmode: goroutine\ntls:\n  insecure: true\n", "tls.insecure=false", false},
		{"http accepts it", "target: http://127.0.0.1:8080/\ntls: {insecure: true}\n", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("tls.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if c.set != "" {
				if err := s.SetKeyValue(c.set); err != nil {
					t.Fatal(err)
				}
			}
			p, err := s.Compile(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p.InsecureSkipVerify != c.want {
				t.Fatalf("plan InsecureSkipVerify %v, want %v", p.InsecureSkipVerify, c.want)
			}
		})
	}
}

// TestCompileTLSResume: sessions are resumed by default; tls.resume:
// false, from the file or from --set, reaches the plan as NoTLSResume.
func TestCompileTLSResume(t *testing.T) {
	cases := []struct {
		name, src, set string
		noResume       bool
	}{
		{"default", "target: https://127.0.0.1:8443/\n", "", false},
		{"file", "target: https://127.0.0.1:8443/\ntls: {resume: false}\n", "", true},
		{"file true", "target: https://127.0.0.1:8443/\ntls: {resume: true}\n", "", false},
		{"set", "target: https://127.0.0.1:8443/\n", "tls.resume=false", true},
		{"set overrides file", "target: https://127.0.0.1:8443/\ntls:\n  resume: false\n", "tls.resume=true", false},
		{"http accepts it", "target: http://127.0.0.1:8080/\ntls: {resume: false}\n", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("tls.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if c.set != "" {
				if err := s.SetKeyValue(c.set); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			p, err := s.Compile(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p.NoTLSResume != c.noResume {
				t.Fatalf("plan NoTLSResume %v, want %v", p.NoTLSResume, c.noResume)
			}
		})
	}
}

// A host with several addresses goes to the first that accepts a
// connection, as wrk and curl do: "localhost" is 127.0.0.1 and ::1, and a
// server may listen on one of them only.
func TestCompileTakesTheAddressThatAccepts(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	v4, v6 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	target := "http://dual.test:" + strconv.Itoa(port) + "/"
	for _, order := range [][]netip.Addr{{v4, v6}, {v6, v4}} {
		p, err := (&Scenario{Target: target}).CompileWith(context.Background(), fakeResolver{"dual.test": order})
		if err != nil {
			t.Fatal(err)
		}
		if want := netip.AddrPortFrom(v6, uint16(port)); len(p.Addrs) != 1 || p.Addrs[0] != want {
			t.Errorf("resolved to %v: addrs %v, want %v, where the server listens", order, p.Addrs, want)
		}
	}
	// None accepting: the first, and the run counts the refusals.
	ln.Close()
	p, err := (&Scenario{Target: target}).CompileWith(context.Background(), fakeResolver{"dual.test": {v4, v6}})
	if err != nil || p.Addrs[0].Addr() != v4 {
		t.Errorf("none listening: addrs %v, err %v; want the first, 127.0.0.1", p.Addrs, err)
	}
}

// "localhost" also tries the loopback address the system's lookup left
// out (/etc/hosts often says 127.0.0.1 alone), as curl does.
func TestCompileLocalhostTriesBothLoopbacks(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"localhost", "LocalHost.", "api.localhost"} {
		r := fakeResolver{strings.ToLower(host): {netip.MustParseAddr("127.0.0.1")}, "LocalHost.": {netip.MustParseAddr("127.0.0.1")}}
		p, err := (&Scenario{Target: "http://" + host + ":" + strconv.Itoa(port) + "/"}).CompileWith(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if want := netip.AddrPortFrom(netip.IPv6Loopback(), uint16(port)); p.Addrs[0] != want {
			t.Errorf("%s: addrs %v, want %v, where the server listens", host, p.Addrs, want)
		}
	}
	// Another name is taken at its word.
	p, err := (&Scenario{Target: "http://svc.test:" + strconv.Itoa(port) + "/"}).CompileWith(context.Background(), fakeResolver{"svc.test": {netip.MustParseAddr("127.0.0.1")}})
	if err != nil || p.Addrs[0].Addr() != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("svc.test: addrs %v, err %v", p.Addrs, err)
	}
}
