package goroutine

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// runAsync runs p in the background and returns a channel of its result.
func runAsync(t *testing.T, p *engine.Plan) <-chan *stats.Result {
	t.Helper()
	out := make(chan *stats.Result, 1)
	go func() {
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Error(err)
		}
		out <- res
	}()
	return out
}

// absDiff returns |a - b|.
func absDiff(a, b int) int { return max(a-b, b-a) }

func TestClosedStagesFollowRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
	p := enginetest.Plan(srv.Addr())
	p.Connections = 2
	p.Stages = []engine.Stage{
		{Duration: time.Second, Target: 12},           // 2 -> 12
		{Duration: time.Second, Target: 12},           // hold 12
		{Duration: 500 * time.Millisecond, Target: 2}, // 12 -> 2
	}
	ramp := engine.NewConnRamp(p.Connections, p.Stages)
	start := time.Now()
	done := runAsync(t, p)
	// What the target has open, against the ramp, while the run goes on.
	for _, at := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2250 * time.Millisecond} {
		time.Sleep(time.Until(start.Add(at)))
		got, want := int(srv.OpenConns()), ramp.At(time.Since(start))
		t.Logf("at %s: target has %d open, ramp wants %d", at, got, want)
		if absDiff(got, want) > 2 {
			t.Errorf("at %s: target has %d connections open, the ramp wants %d", at, got, want)
		}
	}
	res := <-done
	var open []int
	for _, iv := range res.Intervals {
		open = append(open, iv.OpenConns)
	}
	t.Logf("open per interval %v, peak %d, at end %d, connects %d, responses %d", open, res.PeakOpenConns, res.OpenConnsAtEnd, res.Connects, res.Responses)
	// The intervals end at 1 s (12 wanted), 2 s (12) and 2.5 s (2).
	if len(open) != 3 || absDiff(open[0], 12) > 1 || absDiff(open[1], 12) > 1 || absDiff(open[2], 2) > 1 {
		t.Fatalf("open connections per interval %v, want about [12 12 2]", open)
	}
	if res.PeakOpenConns != 12 || absDiff(res.OpenConnsAtEnd, 2) > 1 {
		t.Fatalf("peak %d, open at end %d; want 12 and 2", res.PeakOpenConns, res.OpenConnsAtEnd)
	}
	// Each slot connects once on the way up; none fails on the way down.
	if res.Connects != 12 || res.ErrorTotal() != 0 || res.Responses == 0 || srv.Served() < res.Responses {
		t.Fatalf("connects %d errors %v responses %d served %d", res.Connects, res.Errors, res.Responses, srv.Served())
	}
	if d := res.Elapsed; d < 2500*time.Millisecond || d > 2700*time.Millisecond {
		t.Fatalf("elapsed %s, want the stages' 2.5 s", d)
	}
}
