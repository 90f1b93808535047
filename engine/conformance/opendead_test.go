package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"golang.org/x/sys/unix"
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
				p := enginetest.Plan(closedAddr(t))
				p.Model, p.RatePerSec, p.Duration, p.Connections = engine.ModelOpen, rate, d, 2
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				start := time.Now()
				res, err := engine.Execute(ctx, m.new(), p)
				took := time.Since(start)
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

// TestOpenModelConnectsHang runs the open model while every connect hangs
// (the target's accept queue is full): the run ends on time and every
// request due is dropped, including those whose connect the stop cut.
func TestOpenModelConnectsHang(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			fd, addr := fullListener(t)
			defer unix.Close(fd)
			p := enginetest.Plan(addr)
			p.Model, p.RatePerSec = engine.ModelOpen, openRate
			p.Connections, p.Duration, p.ConnectTimeout = 8, 300*time.Millisecond, 20*time.Second
			start := time.Now()
			res, err := engine.Execute(context.Background(), m.new(), p)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			sched := engine.NewSchedule(p.RatePerSec, nil)
			due := uint64(engine.FirstAt(&sched, int64(p.Duration)))
			t.Logf("took %s, requests %d, dropped %d of %d due", took, res.Requests, res.Dropped, due)
			if took > p.Duration+cellSlack {
				t.Errorf("took %s for a %s run", took, p.Duration)
			}
			if res.Requests != 0 || res.Dropped != due {
				t.Errorf("requests %d, dropped %d; want 0 and all %d due", res.Requests, res.Dropped, due)
			}
		})
	}
}
