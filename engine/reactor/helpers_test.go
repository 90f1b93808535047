package reactor

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// request returns a plan request for method and uri on host, encoded.
func request(method, uri, host string, weight int) engine.Request {
	return engine.Request{
		Method: method, URI: uri, Host: host, Weight: weight,
		Raw: wire.EncodeRequest(method, uri, host, nil, nil),
	}
}

// newPlan returns a GET / plan against addr with c connections on loops
// loops; the test sets the stop condition.
func newPlan(t testing.TB, addr string, c, loops int) *engine.Plan {
	t.Helper()
	p := enginetest.Plan(addr)
	p.Connections, p.Loops = c, loops
	return p
}

// testLoop builds one loop of plan over connections to the given address
// indexes, with no request budget, and closes its poller when the test
// ends; edit, when not nil, changes the configuration first.
func testLoop(tb testing.TB, plan *engine.Plan, addrs []int, edit func(*loopConfig)) *loop {
	tb.Helper()
	mx, err := newMix(plan.Requests, plan.PipelineOrDefault())
	if err != nil {
		tb.Fatal(err)
	}
	cfg := loopConfig{plan: plan, clock: engine.NewClock(), mix: mx, addrs: addrs, open: new(atomic.Int64), nloops: 1}
	if edit != nil {
		edit(&cfg)
	}
	l, err := newLoop(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(l.poll.close)
	return l
}

// runPlan runs plan on a fresh engine and fails the test on an error.
func runPlan(t testing.TB, ctx context.Context, plan *engine.Plan) *stats.Result {
	t.Helper()
	res, err := New().Run(ctx, plan)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// countFDs returns the number of open file descriptors of the process.
func countFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// eventually polls cond for up to 3 s.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// settle waits until the target has answered what it will: after a run
// it may still be finishing requests the client stopped waiting for.
func settle(srv *target.Server) uint64 {
	last := srv.Served()
	for range 20 {
		time.Sleep(10 * time.Millisecond)
		if s := srv.Served(); s == last && srv.OpenConns() == 0 {
			break
		} else {
			last = s
		}
	}
	return srv.Served()
}

// goroutines returns the number of goroutines, leaving out fasthttp's
// worker-pool cleaners: the target's server leaves one sleeping for 10 s
// after Shutdown, which is the target's business, not the reactor's.
func goroutines() int {
	runtime.Gosched()
	buf := make([]byte, 1<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "fasthttp.(*workerPool)") {
			n++
		}
	}
	return n
}

// raiseNoFile raises the process's open-file limit to its hard limit: a
// test holding thousands of connections, with the accepting side in the
// same process, needs two descriptors for each.
func raiseNoFile(t testing.TB) uint64 {
	t.Helper()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}
	return lim.Cur
}

// holdPlan returns a hold-model plan of c connections on two loops for d.
func holdPlan(t testing.TB, addr string, c int, d time.Duration) *engine.Plan {
	t.Helper()
	plan := newPlan(t, addr, c, 2)
	plan.Model, plan.Duration = engine.ModelHold, d
	return plan
}
