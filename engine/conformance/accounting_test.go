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

// sumCell is a run whose per-second intervals must add up to its totals.
type sumCell struct {
	name   string
	target target.Config
	plan   func(p *engine.Plan)
}

var sumCells = []sumCell{
	{
		// Ends on a second boundary: what is counted after the last cut
		// must still land in an interval.
		name:   "closed_d1s",
		target: target.Config{Delay: 2 * time.Millisecond, Jitter: time.Millisecond},
		plan:   func(p *engine.Plan) { p.Connections, p.Duration = 20, time.Second },
	},
	{
		name:   "closed_warmup_close_after",
		target: target.Config{Delay: time.Millisecond, CloseAfter: 20},
		plan: func(p *engine.Plan) {
			p.Connections, p.Warmup, p.Duration = 10, 300*time.Millisecond, time.Second
		},
	},
	{
		// 10 connections to a 20 ms target carry 500 req/s of the 2000
		// asked: most of the schedule is dropped at the end.
		name:   "open_dropped",
		target: target.Config{Delay: 20 * time.Millisecond},
		plan: func(p *engine.Plan) {
			p.Model, p.RatePerSec, p.Connections, p.Duration = engine.ModelOpen, 2000, 10, time.Second
		},
	},
	{
		name:   "hold_every",
		target: target.Config{Delay: time.Millisecond},
		plan: func(p *engine.Plan) {
			p.Model, p.Connections, p.HoldEvery, p.Duration = engine.ModelHold, 20, 100*time.Millisecond, time.Second
		},
	},
}

// TestIntervalsSumToTotals: in every mode and model, the per-second
// intervals (timeseries.csv, latency.hlog) add up exactly to the run's
// totals (summary.json): requests, responses, status codes, errors,
// connects, dropped, bytes, and the latency count.
func TestIntervalsSumToTotals(t *testing.T) {
	for _, m := range modes {
		for _, c := range sumCells {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				srv := enginetest.StartTarget(t, c.target)
				p := enginetest.Plan(srv.Addr())
				c.plan(p)
				res, err := engine.Execute(context.Background(), m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				if res.Responses == 0 {
					t.Fatalf("no response counted: nothing to add up")
				}
				if c.name == "open_dropped" && res.Dropped == 0 {
					t.Errorf("nothing dropped at 2000/s on 10 connections of 20 ms")
				}
				checkSums(t, res)
			})
		}
	}
}

// checkSums checks that res's intervals add up to its counters.
func checkSums(t *testing.T, res *stats.Result) {
	t.Helper()
	var sum stats.Counters
	var latencies int64
	for i := range res.Intervals {
		sum.Add(&res.Intervals[i].Counters)
		latencies += res.Intervals[i].Latency.TotalCount()
	}
	type pair struct {
		name       string
		got, total uint64
	}
	pairs := []pair{
		{"requests", sum.Requests, res.Requests},
		{"responses", sum.Responses, res.Responses},
		{"bytes in", sum.BytesIn, res.BytesIn},
		{"bytes out", sum.BytesOut, res.BytesOut},
		{"connects", sum.Connects, res.Connects},
		{"dropped", sum.Dropped, res.Dropped},
		{"resent", sum.Resent, res.Resent},
		{"server closed", sum.ServerClosed, res.ServerClosed},
		{"latencies", uint64(latencies), uint64(res.Latency.TotalCount())},
		{"latencies vs responses", uint64(res.Latency.TotalCount()), res.Responses},
	}
	for k := range sum.Errors {
		pairs = append(pairs, pair{"errors " + stats.ErrorKind(k).String(), sum.Errors[k], res.Errors[k]})
	}
	for code := range sum.Status {
		if sum.Status[code] != res.Status[code] {
			pairs = append(pairs, pair{"status", sum.Status[code], res.Status[code]})
		}
	}
	for _, pr := range pairs {
		if pr.got != pr.total {
			t.Errorf("%s: intervals add up to %d, the run counted %d (%d intervals over %s)",
				pr.name, pr.got, pr.total, len(res.Intervals), res.Elapsed)
		}
	}
}

// TestLateResponsesStayInFlight: every mode treats the end of the run
// alike. Each of 50 connections to a 5 ms target has its request in flight
// nearly all the time, so when the run ends nearly all are in flight: a
// response that arrives after the planned end is not counted as answered
// (which would inflate the mode's req/s), and its request stays in flight.
func TestLateResponsesStayInFlight(t *testing.T) {
	const conns = 50
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := enginetest.StartTarget(t, target.Config{Delay: 5 * time.Millisecond})
			p := enginetest.Plan(srv.Addr())
			p.Connections, p.Duration = conns, time.Second
			res, err := engine.Execute(context.Background(), m.new(), p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("requests %d, responses %d, in flight %d, errors %d", res.Requests, res.Responses, res.InFlightAtEnd, res.ErrorTotal())
			if res.InFlightAtEnd < conns*9/10 {
				t.Errorf("%d requests in flight at the end, want about %d (one per connection): late responses were counted", res.InFlightAtEnd, conns)
			}
			if res.Requests != res.Responses+res.InFlightAtEnd+res.RequestErrors() {
				t.Errorf("requests %d != responses %d + in flight %d + failed %d",
					res.Requests, res.Responses, res.InFlightAtEnd, res.RequestErrors())
			}
			checkSums(t, res)
		})
	}
}
