package threaded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

func TestWantedFrom(t *testing.T) {
	s := time.Second
	up := []engine.Stage{{Duration: 10 * s, Target: 10}}
	down := []engine.Stage{{Duration: 10 * s, Target: 0}}
	jump := []engine.Stage{{Duration: 2 * s, Target: 2}, {Duration: 0, Target: 8}, {Duration: 2 * s, Target: 8}}
	tests := []struct {
		name   string
		start  int
		stages []engine.Stage
		i      int
		from   time.Duration
		want   time.Duration
		ok     bool
	}{
		{"up: first connection at once", 1, up, 0, 0, 0, true},
		{"up: connection 4 once 4.5 are wanted", 0, up, 4, 0, 4500 * time.Millisecond, true},
		{"up: later than asked", 0, up, 4, 7 * s, 7 * s, true},
		{"up: never more than the target", 0, up, 10, 0, 0, false},
		{"down: wanted at the start", 10, down, 4, 0, 0, true},
		{"down: never again", 10, down, 4, 6 * s, 0, false},
		{"jump: wanted from the zero-length stage", 2, jump, 5, 0, 2 * s, true},
		{"after the stages: the last level", 0, up, 9, 20 * s, 20 * s, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ramp := engine.NewConnRamp(tc.start, tc.stages)
			got, ok := wantedFrom(&ramp, tc.stages, tc.i, tc.from)
			if ok != tc.ok || (ok && (got < tc.want-time.Microsecond || got > tc.want+time.Microsecond)) {
				t.Fatalf("got %s %v, want %s %v", got, ok, tc.want, tc.ok)
			}
			if ok && (ramp.At(got) <= tc.i || (got > tc.from && ramp.At(got-1) > tc.i)) {
				t.Fatalf("at %s the ramp wants %d (just before: %d), connection %d", got, ramp.At(got), ramp.At(got-1), tc.i)
			}
		})
	}
}

// TestClosedRamp: connections follow the ramp 2 -> 10 over 1 s, 10 for
// 1 s, 10 -> 2 over 1 s: as the target sees them, as the intervals
// count them, and at the peak. The counts must hold in every try; the
// timing (threads a loaded machine wakes late) in one of three.
func TestClosedRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 2 * time.Millisecond})
	enginetest.Tries(t, 3, func(int) string {
		p := enginetest.Plan(srv.Addr())
		p.Connections = 2
		p.Stages = []engine.Stage{{Duration: time.Second, Target: 10}, {Duration: time.Second, Target: 10}, {Duration: time.Second, Target: 2}}
		var open []int64 // the target's open connections at 0.5, 1.5 and 2.95 s
		done := make(chan struct{})
		go func() { // owned by the test: ends before it reads open
			defer close(done)
			start := time.Now()
			for _, at := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2950 * time.Millisecond} {
				time.Sleep(time.Until(start.Add(at)))
				open = append(open, srv.OpenConns())
			}
		}()
		served := srv.Served()
		res, err := engine.Execute(context.Background(), New(), p)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		var ivOpen []int
		for _, iv := range res.Intervals {
			ivOpen = append(ivOpen, iv.OpenConns)
		}
		t.Logf("target open at 0.5, 1.5, 2.95 s: %v (ramp [6 10 2]); intervals' open connections %v, peak %d, connects %d, responses %d",
			open, ivOpen, res.PeakOpenConns, res.Connects, res.Responses)
		if res.PeakOpenConns != 10 || res.Connects != 10 || res.ErrorTotal() != 0 {
			t.Fatalf("peak %d connects %d errors %d; want 10, 10, 0", res.PeakOpenConns, res.Connects, res.ErrorTotal())
		}
		if res.Responses == 0 || res.Responses > srv.Served()-served {
			t.Fatalf("responses %d, target served %d", res.Responses, srv.Served()-served)
		}
		for i, want := range []int64{6, 10, 2} {
			if open[i] < want-2 || open[i] > want+2 {
				return fmt.Sprintf("target had %v connections open at 0.5, 1.5, 2.95 s; want [6 10 2] ± 2", open)
			}
		}
		if len(ivOpen) != 3 || ivOpen[0] < 9 || ivOpen[0] > 10 || ivOpen[1] != 10 || ivOpen[2] > 3 {
			return fmt.Sprintf("intervals' open connections %v, want [10 10 2] (±1 at the ramp's edges)", ivOpen)
		}
		return ""
	})
}
