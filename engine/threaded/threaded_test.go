package threaded

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func testPlan(t *testing.T, addr string) *engine.Plan {
	t.Helper()
	return testPlanAddr(addr)
}

func testPlanAddr(addr string) *engine.Plan {
	ap := netip.MustParseAddrPort(addr)
	return &engine.Plan{
		Target: "http://" + addr + "/",
		Scheme: "http",
		Addrs:  []netip.AddrPort{ap},
		Requests: []engine.Request{{
			Method: "GET", URI: "/", Host: addr,
			Raw: wire.EncodeRequest("GET", "/", addr, nil, nil),
		}},
		Connections: 4,
	}
}

func startTarget(t *testing.T, cfg target.Config) *target.Server {
	t.Helper()
	srv, err := target.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestRequestCount(t *testing.T) {
	srv := startTarget(t, target.Config{})
	p := testPlan(t, srv.Addr())
	p.MaxRequests = 1000
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 1000 || srv.Served() != 1000 || res.Status[200] != 1000 {
		t.Fatalf("responses %d, served %d, 200s %d; want 1000", res.Responses, srv.Served(), res.Status[200])
	}
	if res.Mode != Mode || res.Connects != 4 || res.ErrorTotal() != 0 {
		t.Fatalf("mode %q connects %d errors %d", res.Mode, res.Connects, res.ErrorTotal())
	}
	wantOut := uint64(1000 * len(p.Requests[0].Raw))
	if res.BytesOut != wantOut {
		t.Fatalf("bytes out %d, want %d", res.BytesOut, wantOut)
	}
}

func TestTimeoutCounted(t *testing.T) {
	srv := startTarget(t, target.Config{Delay: time.Second})
	p := testPlan(t, srv.Addr())
	p.Connections = 2
	p.Timeout = 50 * time.Millisecond
	p.Duration = 600 * time.Millisecond
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors[stats.ErrTimeout] == 0 || res.Responses != 0 {
		t.Fatalf("timeouts %d responses %d; want timeouts and no response", res.Errors[stats.ErrTimeout], res.Responses)
	}
}

func TestThreadLimitRefused(t *testing.T) {
	err := threadsAvailable(1 << 40)
	if !errors.Is(err, ErrThreadLimit) || !strings.Contains(err.Error(), "leaves room for") {
		t.Fatalf("got %v", err)
	}
	if err := threadsAvailable(10); err != nil {
		t.Fatal(err)
	}
}

func TestRunRefusesTooManyThreads(t *testing.T) {
	p := testPlanAddr("127.0.0.1:9")
	p.Connections = 50_000_000
	start := time.Now()
	_, err := New().Run(context.Background(), p)
	if !errors.Is(err, ErrThreadLimit) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %s; want ErrThreadLimit at once", err, time.Since(start))
	}
	t.Log(err)
}
