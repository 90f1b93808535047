package threaded

import (
	"context"
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
// count them, and at the peak.
func TestClosedRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 2 * time.Millisecond})
	p := enginetest.Plan(srv.Addr())
	p.Connections = 2
	p.Stages = []engine.Stage{{Duration: time.Second, Target: 10}, {Duration: time.Second, Target: 10}, {Duration: time.Second, Target: 2}}
	type sample struct {
		at   time.Duration
		open int64
	}
	var samples []sample
	done := make(chan struct{})
	go func() { // owned by the test: ends before it reads samples
		defer close(done)
		start := time.Now()
		for _, at := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2950 * time.Millisecond} {
			time.Sleep(time.Until(start.Add(at)))
			samples = append(samples, sample{at, srv.OpenConns()})
		}
	}()
	res, err := engine.Execute(context.Background(), New(), p)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{6, 10, 2}
	for i, s := range samples {
		t.Logf("target open at %s: %d (ramp %d)", s.at, s.open, want[i])
		if s.open < want[i]-2 || s.open > want[i]+2 {
			t.Errorf("target had %d connections open at %s, want %d ± 2", s.open, s.at, want[i])
		}
	}
	var ivOpen []int
	for _, iv := range res.Intervals {
		ivOpen = append(ivOpen, iv.OpenConns)
	}
	t.Logf("intervals' open connections %v, peak %d, connects %d, responses %d", ivOpen, res.PeakOpenConns, res.Connects, res.Responses)
	if len(ivOpen) != 3 || ivOpen[0] < 9 || ivOpen[0] > 10 || ivOpen[1] != 10 || ivOpen[2] > 3 {
		t.Errorf("intervals' open connections %v, want [10 10 2] (±1 at the ramp's edges)", ivOpen)
	}
	if res.PeakOpenConns != 10 || res.Connects != 10 || res.ErrorTotal() != 0 {
		t.Errorf("peak %d connects %d errors %d; want 10, 10, 0", res.PeakOpenConns, res.Connects, res.ErrorTotal())
	}
	if res.Responses == 0 || res.Responses > srv.Served() {
		t.Errorf("responses %d, target served %d", res.Responses, srv.Served())
	}
}
