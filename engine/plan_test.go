package engine

import (
	"errors"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

func validPlan() Plan {
	return Plan{
		Addrs:       []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")},
		Requests:    []Request{{Method: "GET", URI: "/", Raw: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}},
		Connections: 10,
	}
}

func TestPlanValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Plan)
		ok     bool
	}{
		{"valid", func(*Plan) {}, true},
		{"no address", func(p *Plan) { p.Addrs = nil }, false},
		{"no request", func(p *Plan) { p.Requests = nil }, false},
		{"request not encoded", func(p *Plan) { p.Requests[0].Raw = nil }, false},
		{"zero connections", func(p *Plan) { p.Connections = 0 }, false},
		{"negative pipeline", func(p *Plan) { p.Pipeline = -1 }, false},
		{"negative duration", func(p *Plan) { p.Duration = -time.Second }, false},
		{"negative requests", func(p *Plan) { p.MaxRequests = -1 }, false},
		{"negative rate", func(p *Plan) { p.RatePerSec = -1 }, false},
		{"open without rate", func(p *Plan) { p.Model = ModelOpen }, false},
		{"open with rate", func(p *Plan) { p.Model = ModelOpen; p.RatePerSec = 100 }, true},
	}
	for _, tc := range cases {
		p := validPlan()
		tc.change(&p)
		err := p.Validate()
		if tc.ok != (err == nil) {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidPlan) {
			t.Errorf("%s: error %v does not wrap ErrInvalidPlan", tc.name, err)
		}
	}
}

func TestPlanDefaults(t *testing.T) {
	p := validPlan()
	if p.PipelineOrDefault() != 1 || p.TimeoutOrDefault() != DefaultTimeout || p.ConnectTimeoutOrDefault() != DefaultConnectTimeout {
		t.Fatal("zero values do not mean the defaults")
	}
	if p.DurationOrDefault() != DefaultDuration {
		t.Fatalf("duration %s, want %s", p.DurationOrDefault(), DefaultDuration)
	}
	p.MaxRequests = 100
	if p.DurationOrDefault() != 0 {
		t.Fatal("-n alone should run until done")
	}
	p.Stages = []Stage{{time.Second, 10}, {2 * time.Second, 0}}
	if p.DurationOrDefault() != 3*time.Second {
		t.Fatalf("stages last 3s, got %s", p.DurationOrDefault())
	}
	if want := min(runtime.NumCPU(), 10); p.LoopsOrDefault() != want {
		t.Fatalf("loops %d, want %d", p.LoopsOrDefault(), want)
	}
	p.Connections = 1
	if p.LoopsOrDefault() != 1 {
		t.Fatal("more loops than connections")
	}
}

// TestCapConnections: a counted closed-model run gets at most one
// connection per request, whatever the pipelining; a warm-up (whose
// requests the count does not bound), stages and the other models keep
// the connections asked for.
func TestCapConnections(t *testing.T) {
	cases := []struct {
		name         string
		change       func(*Plan)
		conns, asked int
	}{
		{"no count", func(*Plan) {}, 10, 0},
		{"count below connections", func(p *Plan) { p.MaxRequests = 4 }, 4, 10},
		{"count below connections, pipelined", func(p *Plan) { p.MaxRequests = 4; p.Pipeline = 8 }, 4, 10},
		{"count of connections", func(p *Plan) { p.MaxRequests = 10 }, 10, 0},
		{"count above connections", func(p *Plan) { p.MaxRequests = 1000 }, 10, 0},
		{"count and duration", func(p *Plan) { p.MaxRequests = 3; p.Duration = time.Second }, 3, 10},
		{"warm-up", func(p *Plan) { p.MaxRequests = 4; p.Warmup = time.Second }, 10, 0},
		{"stages", func(p *Plan) { p.MaxRequests = 4; p.Stages = []Stage{{time.Second, 20}} }, 10, 0},
		{"open model", func(p *Plan) { p.MaxRequests = 4; p.Model = ModelOpen; p.RatePerSec = 100 }, 4, 10},
		{"hold model", func(p *Plan) { p.MaxRequests = 4; p.Model = ModelHold }, 10, 0},
	}
	for _, tc := range cases {
		p := validPlan()
		tc.change(&p)
		p.CapConnections()
		if p.Connections != tc.conns || p.ConnectionsAsked != tc.asked {
			t.Errorf("%s: %d connections, %d asked; want %d and %d", tc.name, p.Connections, p.ConnectionsAsked, tc.conns, tc.asked)
		}
		p.CapConnections()
		if p.Connections != tc.conns || p.ConnectionsAsked != tc.asked {
			t.Errorf("%s, capped twice: %d connections, %d asked; want %d and %d", tc.name, p.Connections, p.ConnectionsAsked, tc.conns, tc.asked)
		}
	}
}

func TestPlanEndClampsALateStop(t *testing.T) {
	p := &Plan{Warmup: time.Second, Duration: 2 * time.Second}
	if got := p.ClampEnd(int64(3*time.Second + 5*time.Millisecond)); got != int64(3*time.Second) {
		t.Errorf("a stop 5 ms late clamps to %d, want the planned end 3 s", got)
	}
	if got := p.ClampEnd(int64(time.Second)); got != int64(time.Second) {
		t.Errorf("an early stop (Ctrl-C) stays %d", got)
	}
	byCount := &Plan{MaxRequests: 10}
	if byCount.EndNs() != 0 || byCount.ClampEnd(42) != 42 {
		t.Errorf("a run ended by count has no planned end: %d, %d", byCount.EndNs(), byCount.ClampEnd(42))
	}
}
