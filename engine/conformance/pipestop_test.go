package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// pipeStopTimeout is the request timeout of the pipelined stop tests:
// long, so that a run that waits for its requests to time out instead of
// ending when it should shows as many seconds too long.
const pipeStopTimeout = 8 * time.Second

// TestPipelinedRunStopsOnTime runs pipelined plans in every mode where
// nothing answers, or stops answering, and checks that the run ends on
// time: at its duration against a refusing address and against a target
// that dies mid-run, in the closed and the open model, and at once when
// it is cancelled (Ctrl-C), never after the requests' timeout.
func TestPipelinedRunStopsOnTime(t *testing.T) {
	const d = 500 * time.Millisecond
	closed := func(p *engine.Plan) { p.Pipeline, p.Connections = 4, 5 }
	open := func(p *engine.Plan) {
		p.Pipeline, p.Connections = 2, 5
		p.Model, p.RatePerSec = engine.ModelOpen, 1000
	}
	cases := []struct {
		name     string
		plan     func(p *engine.Plan)
		dead     bool          // against an address nothing listens on; else a target
		killAt   time.Duration // when the target dies; 0: it lives
		cancelAt time.Duration // when ctx is cancelled; 0: never
	}{
		{name: "refused_closed", plan: closed, dead: true},
		{name: "refused_open", plan: open, dead: true},
		{name: "target_dies_closed", plan: closed, killAt: d / 2},
		{name: "target_dies_open", plan: open, killAt: d / 2},
		{name: "cancel_refused", plan: closed, dead: true, cancelAt: d / 2},
		{name: "cancel_slow_target", plan: closed, cancelAt: d / 2},
	}
	for _, m := range modes {
		if !m.pipeline {
			continue
		}
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				var addr string
				var srv *target.Server
				if c.dead {
					addr = closedAddr(t)
				} else {
					// A delay keeps requests in flight when the target dies
					// or the run is cancelled.
					srv = enginetest.StartTarget(t, target.Config{Delay: 20 * time.Millisecond})
					addr = srv.Addr()
				}
				p := enginetest.Plan(addr)
				p.Duration, p.Timeout = d, pipeStopTimeout
				c.plan(p)
				want := d
				if c.cancelAt > 0 {
					p.Duration, want = time.Minute, c.cancelAt
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if c.cancelAt > 0 {
					time.AfterFunc(c.cancelAt, cancel)
				}
				if c.killAt > 0 {
					time.AfterFunc(c.killAt, func() { srv.Close() })
				}
				start := time.Now()
				res, err := engine.Execute(ctx, m.new(), p)
				took := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				refused := res.Errors[stats.ErrConnectRefused]
				t.Logf("took %s; requests %d, responses %d, in flight %d, dropped %d, errors %v",
					took, res.Requests, res.Responses, res.InFlightAtEnd, res.Dropped, res.Errors)
				// The requests' timeout is 8 s: a run that waits for it
				// overruns by seconds; cellSlack allows for a loaded machine.
				if took > want+cellSlack {
					t.Errorf("took %s, want about %s", took, want)
				}
				// A connection refused once per connect, as in the closed
				// model's backoff, not once per slot in the whole run.
				if c.dead && c.cancelAt == 0 && refused < uint64(2*p.Connections) {
					t.Errorf("%d connects refused in %s over %d connections; want a retry of each within the run", refused, d, p.Connections)
				}
				if c.killAt > 0 && (res.Responses == 0 || refused == 0) {
					t.Errorf("responses %d, refused %d; want responses before the target died and refusals after", res.Responses, refused)
				}
			})
		}
	}
}
