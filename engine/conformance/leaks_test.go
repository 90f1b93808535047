package conformance

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// leakSettle is how long goroutines that end on their own after a run
// (fasthttp's idle-connection cleaner, say) may take to go.
const leakSettle = time.Second

// leakRuns are the faulty runs after which nothing may be left: every
// fault mixed with refusals, in each load model, and a target that never
// answers, so that every connection has a request in flight when the run
// stops.
var leakRuns = []struct {
	name    string
	model   engine.Model
	target  target.Config
	timeout time.Duration
}{
	{"mix", engine.ModelClosed, rowTarget("mix"), cellTimeout},
	{"all_hang", engine.ModelClosed, target.Config{Faults: []target.Fault{pct(target.FaultHang, 100)}}, 5 * time.Second},
	{"open_mix", engine.ModelOpen, rowTarget("mix"), cellTimeout},
	{"hold_mix", engine.ModelHold, rowTarget("mix"), cellTimeout},
}

// TestNoLeakAfterFaults checks, for every mode, that a faulty run leaves
// the process as it found it: the open fds (/proc/self/fd) and goroutines
// come back to their count before the target started, within about a
// second; for the sync mode, its threads end too.
func TestNoLeakAfterFaults(t *testing.T) {
	warmNetpoller()
	for _, m := range modes {
		for _, lr := range leakRuns {
			t.Run(m.name+"/"+lr.name, func(t *testing.T) {
				runtime.GC() // finalizers of earlier tests' fds run now, not during the check
				before := snapshot()
				srv, err := target.Start("127.0.0.1:0", lr.target)
				if err != nil {
					t.Fatal(err)
				}
				p := enginetest.Plan(srv.Addr())
				p.Connections, p.Duration, p.Timeout, p.ConnectTimeout = 16, 300*time.Millisecond, lr.timeout, time.Second
				setModel(p, lr.model)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				res, err := engine.Execute(ctx, m.new(), p)
				if cerr := srv.Close(); cerr != nil {
					t.Errorf("target close: %v", cerr)
				}
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if res.Requests == 0 {
					t.Fatal("no request sent")
				}
				if lr.name == "all_hang" && res.InFlightAtEnd != uint64(p.Connections) {
					t.Errorf("in flight at the end %d, want every connection's (%d)", res.InFlightAtEnd, p.Connections)
				}
				after := settleUsage(before, m.name == "sync")
				t.Logf("requests %d, connects %d, in flight %d; fds %d -> %d, goroutines %d -> %d, threads %d -> %d",
					res.Requests, res.Connects, res.InFlightAtEnd, before.fds, after.fds,
					before.goroutines, after.goroutines, before.threads, after.threads)
				if after.fds > before.fds || after.goroutines > before.goroutines ||
					(m.name == "sync" && after.threads > before.threads+8) {
					buf := make([]byte, 1<<20)
					t.Errorf("leak after %s: fds %d -> %d, goroutines %d -> %d, threads %d -> %d\n%s",
						leakSettle, before.fds, after.fds, before.goroutines, after.goroutines,
						before.threads, after.threads, buf[:runtime.Stack(buf, true)])
				}
			})
		}
	}
}

// rowTarget returns the target config of the fault matrix's row name.
func rowTarget(name string) target.Config {
	for _, r := range faultRows {
		if r.name == name {
			return r.target
		}
	}
	panic("conformance: no fault row " + name)
}

// settleUsage waits up to leakSettle for the usage to come back to
// before, and returns the last it saw.
func settleUsage(before usage, threads bool) usage {
	deadline := time.Now().Add(leakSettle)
	for {
		now := snapshot()
		ok := now.fds <= before.fds && now.goroutines <= before.goroutines &&
			(!threads || now.threads <= before.threads+8)
		if ok || time.Now().After(deadline) {
			return now
		}
		time.Sleep(10 * time.Millisecond)
	}
}
