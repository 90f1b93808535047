package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// TestOpenModelDeadTarget runs the open model against an address nothing
// listens on, at a modest rate and at an absurd one: no request can be
// sent, so every request due in the run is counted as dropped, none as
// sent, and the run still ends on time however many were due.
func TestOpenModelDeadTarget(t *testing.T) {
	const d = 300 * time.Millisecond
	for _, m := range modes {
		for _, rate := range []float64{2000, 1e9} {
			name := m.name + "/" + map[bool]string{true: "rate_1e9", false: "rate_2000"}[rate > 1e6]
			t.Run(name, func(t *testing.T) {
				if m.name == "async" && rate > 1e6 {
					skipBug(t, "the reactor counts the requests never sent one at a time at the "+
						"end of a run (openFeed.dropAll, engine/reactor/open.go, called from loop.closeAll): "+
						"at -R 1e12 that is 1e12 Schedule.Due calls, so the run never ends and ignores Ctrl-C/SIGTERM; "+
						"count them as FirstAt(end) - next, divided by the loop count, instead")
				}
				if m.name == "goroutine" {
					skipBug(t, goroutineOpenEndBug)
				}
				p := basePlan(closedAddr(t))
				p.Model, p.RatePerSec, p.Duration, p.Connections = engine.ModelOpen, rate, d, 2
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				start := time.Now()
				res, err := engine.Execute(ctx, m.new(), p)
				took := time.Since(start)
				if errors.Is(err, engine.ErrUnsupported) {
					t.Skipf("%s mode: %v", m.name, err)
				}
				if err != nil {
					t.Fatal(err)
				}
				sched := engine.NewSchedule(rate, nil)
				due := uint64(engine.FirstAt(&sched, int64(d)))
				t.Logf("took %s, requests %d, dropped %d of %d due, refused %d", took, res.Requests, res.Dropped, due, res.Errors[stats.ErrConnectRefused])
				if took > d+cellSlack {
					t.Errorf("took %s for a %s run", took, d)
				}
				if res.Requests != 0 || res.Dropped != due {
					t.Errorf("requests %d, dropped %d; want 0 and all %d due", res.Requests, res.Dropped, due)
				}
				if res.Errors[stats.ErrConnectRefused] == 0 || res.RequestErrors() != 0 {
					t.Errorf("refused %d, request failures %d; want refusals and no request failure",
						res.Errors[stats.ErrConnectRefused], res.RequestErrors())
				}
			})
		}
	}
}
