package target

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestValidate(t *testing.T) {
	bad := []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative body", Config{BodySize: -1}, "--body-size must be 0 to 67108864 bytes (64 MiB), got -1"},
		{"huge body", Config{BodySize: 99999999999}, "--body-size must be 0 to 67108864 bytes (64 MiB), got 99999999999"},
		{"empty body with a size", Config{EmptyBody: true, BodySize: 5}, "an empty body and --body-size 5 conflict"},
		{"empty body cut short", Config{EmptyBody: true, Faults: []Fault{{FaultShortBody, 10}}}, "short-body needs a body"},
		{"negative delay", Config{Delay: -1}, "--delay must not be negative, got -1ns"},
		{"negative jitter", Config{Jitter: -time.Millisecond}, "--jitter must not be negative, got -1ms"},
		{"negative close-after", Config{CloseAfter: -1}, "--close-after must not be negative"},
		{"negative header size", Config{HeaderSize: -1}, "--header-size must be 1 to 16777216 bytes (16 MiB), got -1"},
		{"huge header size", Config{HeaderSize: MaxHeaderSize + 1}, "--header-size must be 1 to 16777216 bytes"},
		{"negative drip", Config{DripEvery: -1}, "--drip-every must be positive"},
		{"stall alone", Config{Stall: time.Second}, "--stall and --stall-every must both be positive"},
		{"stall-every alone", Config{StallEvery: time.Second}, "--stall and --stall-every"},
		{"stall too long", Config{Stall: time.Second, StallEvery: time.Second}, "--stall 1s must be shorter than --stall-every 1s"},
		{"refuse alone", Config{Refuse: time.Second}, "--refuse and --refuse-every"},
		{"refuse too long", Config{Refuse: 2 * time.Second, RefuseEvery: time.Second}, "shorter than --refuse-every"},
		{"unknown kind", Config{Faults: []Fault{{Kind: 200, Percent: 1}}}, "unknown fault kind 200; want one of reset, close,"},
		{"zero percent", Config{Faults: []Fault{{FaultReset, 0}}}, "fault reset: percent must be in (0, 100], got 0"},
		{"over 100 percent", Config{Faults: []Fault{{FaultHang, 101}}}, "got 101"},
		{"twice", Config{Faults: []Fault{{FaultHang, 1}, {FaultHang, 2}}}, "fault hang given twice"},
		{"sum over 100", Config{Faults: []Fault{{FaultHang, 60}, {Fault503, 50}}}, "add up to 110"},
	}
	for _, tc := range bad {
		err := tc.cfg.Validate()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v; want ErrConfig with %q", tc.name, err, tc.want)
		}
		if _, err := Start("127.0.0.1:0", tc.cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Start returned %v; want ErrConfig", tc.name, err)
		}
	}
	good := Config{
		Faults: []Fault{{FaultReset, 50}, {Fault503, 50}}, HeaderSize: 10, DripEvery: time.Millisecond,
		Stall: time.Millisecond, StallEvery: time.Second, Refuse: time.Millisecond, RefuseEvery: time.Second,
	}
	if err := good.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestFaultKindNames(t *testing.T) {
	kinds := FaultKinds()
	if len(kinds) != numFaultKinds {
		t.Fatalf("%d kinds; want %d", len(kinds), numFaultKinds)
	}
	for _, k := range kinds {
		got, ok := ParseFaultKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseFaultKind(%q) = %v, %v; want %v", k.String(), got, ok, k)
		}
	}
	if _, ok := ParseFaultKind("boom"); ok {
		t.Error(`ParseFaultKind("boom") succeeded`)
	}
	if got := FaultKindNames(); got != "reset, close, garbage, big-header, short-body, drip, hang, 500, 503" {
		t.Errorf("FaultKindNames() = %q", got)
	}
	if got := FaultKind(42).String(); got != "fault(42)" {
		t.Errorf("FaultKind(42) = %q", got)
	}
}

func TestListenError(t *testing.T) {
	s := start(t, Config{})
	if _, err := Start(s.Addr(), Config{}); !errors.Is(err, ErrListen) {
		t.Fatalf("second Start on %s: %v; want ErrListen", s.Addr(), err)
	}
}

// TestServesPlain checks the no-fault path: every response counted once.
func TestServesPlain(t *testing.T) {
	s := start(t, Config{BodySize: 100})
	cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{}}
	defer cl.CloseIdleConnections()
	for range 20 {
		resp, err := cl.Get(s.URL())
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(b) != 100 {
			t.Fatalf("status %d, %d bytes, %v; want 200 with 100 bytes", resp.StatusCode, len(b), err)
		}
	}
	st := s.Stats()
	if st.Served != 20 || st.Accepted != 1 || len(st.Faults) != 0 {
		t.Fatalf("stats %+v; want 20 served on 1 connection, no faults", st)
	}
	cl.CloseIdleConnections()
}

// TestEmptyBody: EmptyBody answers 200 with Content-Length 0 and nothing
// after the headers (0 in BodySize is the default body, 13 bytes).
func TestEmptyBody(t *testing.T) {
	s := start(t, Config{EmptyBody: true})
	c := dial(t, s, 2*time.Second)
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		t.Fatal(err)
	}
	data, headLen, err := readResponse(c)
	if err != nil {
		t.Fatal(err)
	}
	if st, n := statusOf(data[:headLen]), contentLength(data[:headLen]); st != 200 || n != 0 || len(data) != headLen {
		t.Fatalf("status %d, Content-Length %d, %d bytes after the head; want 200, 0, 0:\n%s", st, n, len(data)-headLen, data)
	}
	if st := s.Stats(); st.Served != 1 {
		t.Fatalf("served %d; want 1", st.Served)
	}
}

// TestStatusPath: /status/N answers N for N from 200 to 599; any other N,
// or none, gets 400 with a line saying what is valid.
func TestStatusPath(t *testing.T) {
	s := start(t, Config{})
	cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{}}
	defer cl.CloseIdleConnections()
	for _, tc := range []struct {
		n    string
		want int
	}{
		{"200", 200}, {"404", 404}, {"503", 503}, {"599", 599},
		{"100", 400}, {"199", 400}, {"600", 400}, {"999", 400}, {"abc", 400}, {"", 400}, {"-200", 400},
	} {
		resp, err := cl.Get(s.URL() + "status/" + tc.n)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.want {
			t.Fatalf("/status/%s: status %d, %v; want %d", tc.n, resp.StatusCode, err, tc.want)
		}
		if bad := tc.want == 400; bad != strings.Contains(string(b), "for N from 200 to 599") {
			t.Fatalf("/status/%s: body %q", tc.n, b)
		}
	}
}

func TestCloseAfter(t *testing.T) {
	s := start(t, Config{CloseAfter: 3})
	c := dial(t, s, 2*time.Second)
	if _, err := io.WriteString(c, strings.Repeat(reqKeepAlive, 5)); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "HTTP/1.1 200 OK"); n != 3 {
		t.Fatalf("%d responses before the close; want 3:\n%s", n, b)
	}
	if st := s.Stats(); st.Served != 3 || st.ClosedAfter != 1 {
		t.Fatalf("served %d, closed-after %d; want 3 and 1", st.Served, st.ClosedAfter)
	}
}

// TestCloseEndsEverything closes the target while a hang, a drip and a
// long delay are in progress: Close must end them promptly.
func TestCloseEndsEverything(t *testing.T) {
	s := start(t, Config{Faults: []Fault{{FaultHang, 100}}})
	d := start(t, Config{Faults: []Fault{{FaultDrip, 100}}, DripEvery: 50 * time.Millisecond})
	w := start(t, Config{Delay: 10 * time.Second})
	var conns []net.Conn
	for _, srv := range []*Server{s, d, w} {
		c := dial(t, srv, 3*time.Second)
		if _, err := io.WriteString(c, reqKeepAlive); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	waitFor(t, func() bool { return s.OpenConns() == 1 && d.OpenConns() == 1 && w.OpenConns() == 1 })
	time.Sleep(20 * time.Millisecond) // the delayed request reaches its handler
	t0 := time.Now()
	for _, srv := range []*Server{s, d, w} {
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(t0); el > time.Second {
		t.Fatalf("Close took %s with faults in progress", el)
	}
	for _, c := range conns {
		if _, err := io.ReadAll(c); isTimeout(err) {
			t.Fatalf("client still waiting after Close: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// BenchmarkHandle measures the handler on the no-fault path, and with
// faults configured that fasthttp answers itself: 0 allocs/op.
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"plain", Config{}},
		{"faults", Config{Faults: []Fault{{Fault503, 30}, {FaultClose, 30}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := newServer(bc.cfg)
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI("/")
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				s.handle(&ctx)
			}
		})
	}
}
