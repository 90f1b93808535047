package goroutine

import (
	"context"
	"fmt"
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

// TestClosedStagesFollowRamp: connections follow the ramp 2 -> 12 over
// 1 s, 12 for 1 s, 12 -> 2 over 0.5 s. The counts must hold in every try;
// the timing (a loaded machine's late dials and closes) in one of three.
func TestClosedStagesFollowRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
	enginetest.Tries(t, 3, func(int) string {
		p := enginetest.Plan(srv.Addr())
		p.Connections = 2
		p.Stages = []engine.Stage{
			{Duration: time.Second, Target: 12},           // 2 -> 12
			{Duration: time.Second, Target: 12},           // hold 12
			{Duration: 500 * time.Millisecond, Target: 2}, // 12 -> 2
		}
		ramp := engine.NewConnRamp(p.Connections, p.Stages)
		served := srv.Served()
		start := time.Now()
		done := runAsync(t, p)
		// What the target has open, against the ramp, while the run goes on.
		var miss string
		for _, at := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2250 * time.Millisecond} {
			time.Sleep(time.Until(start.Add(at)))
			got, want := int(srv.OpenConns()), ramp.At(time.Since(start))
			t.Logf("at %s: target has %d open, ramp wants %d", at, got, want)
			if absDiff(got, want) > 2 && miss == "" {
				miss = fmt.Sprintf("at %s: target has %d connections open, the ramp wants %d", at, got, want)
			}
		}
		res := <-done
		var open []int
		for _, iv := range res.Intervals {
			open = append(open, iv.OpenConns)
		}
		t.Logf("open per interval %v, peak %d, at end %d, connects %d, responses %d", open, res.PeakOpenConns, res.OpenConnsAtEnd, res.Connects, res.Responses)
		// Each slot connects once on the way up; none fails on the way down.
		if res.PeakOpenConns != 12 || res.Connects != 12 || res.ErrorTotal() != 0 || res.Responses == 0 || srv.Served()-served < res.Responses {
			t.Fatalf("peak %d connects %d errors %v responses %d served %d", res.PeakOpenConns, res.Connects, res.Errors, res.Responses, srv.Served()-served)
		}
		if d := res.Elapsed; d < 2500*time.Millisecond {
			t.Fatalf("elapsed %s, want the stages' 2.5 s", d)
		}
		switch {
		case miss != "":
			return miss
		// The intervals end at 1 s (12 wanted), 2 s (12) and 2.5 s (2).
		case len(open) != 3 || absDiff(open[0], 12) > 1 || absDiff(open[1], 12) > 1 || absDiff(open[2], 2) > 1:
			return fmt.Sprintf("open connections per interval %v, want about [12 12 2]", open)
		case absDiff(res.OpenConnsAtEnd, 2) > 1:
			return fmt.Sprintf("open at end %d, want 2", res.OpenConnsAtEnd)
		case res.Elapsed > 2700*time.Millisecond:
			return fmt.Sprintf("elapsed %s, want the stages' 2.5 s", res.Elapsed)
		}
		return ""
	})
}
