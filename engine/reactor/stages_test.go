//go:build linux

package reactor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

func TestWantAtSplitsThePrefix(t *testing.T) {
	// 8 slots over 3 loops: loop 0 has plan conns 0 3 6, loop 1 1 4 7, loop 2 2 5.
	sizes := []int{3, 3, 2}
	for n := 0; n <= 8; n++ {
		total := 0
		for i, size := range sizes {
			l := &loop{index: i, nloops: 3, conns: make([]conn, size)}
			w := l.wantAt(n)
			for k := range size {
				if got, want := k < w, i+3*k < n; got != want {
					t.Errorf("n %d: loop %d slot %d wanted %v, want %v", n, i, k, got, want)
				}
			}
			total += w
		}
		if total != n {
			t.Errorf("n %d: loops want %d in all", n, total)
		}
	}
}

// sampler polls what the target holds open, with the time since start.
type sampler struct {
	mu      sync.Mutex
	at      []time.Duration
	open    []int64
	stop    chan struct{}
	stopped chan struct{}
}

func sampleOpen(srv *target.Server, start time.Time) *sampler {
	s := &sampler{stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(s.stopped)
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			n := srv.OpenConns()
			s.mu.Lock()
			s.at, s.open = append(s.at, time.Since(start)), append(s.open, n)
			s.mu.Unlock()
		}
	}()
	return s
}

func (s *sampler) end() { close(s.stop); <-s.stopped }

// within returns the least and most the target held open in [from, to).
func (s *sampler) within(from, to time.Duration) (lo, hi int64) {
	lo = 1 << 62
	for i, at := range s.at {
		if at >= from && at < to {
			lo, hi = min(lo, s.open[i]), max(hi, s.open[i])
		}
	}
	return lo, hi
}

// TestClosedStagesFollowTheRamp ramps 10 -> 40 connections in 0.5 s,
// holds 40 for 1 s, ramps down to 4 in 0.3 s and holds 4 for 1.2 s: the
// intervals' open connections and what the target holds follow, and going
// down loses no request (each connection closes once answered).
func TestClosedStagesFollowTheRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
	plan := newPlan(t, srv.Addr(), 10, 2)
	plan.Stages = []engine.Stage{
		{Duration: 500 * time.Millisecond, Target: 40},
		{Duration: time.Second, Target: 40},
		{Duration: 300 * time.Millisecond, Target: 4},
		{Duration: 1200 * time.Millisecond, Target: 4},
	}
	start := time.Now()
	s := sampleOpen(srv, start)
	res := runPlan(t, context.Background(), plan)
	s.end()
	served := settle(srv)
	var ivOpen []int
	for _, iv := range res.Intervals {
		ivOpen = append(ivOpen, iv.OpenConns)
	}
	lo1, hi1 := s.within(700*time.Millisecond, 1400*time.Millisecond)
	lo2, hi2 := s.within(2200*time.Millisecond, 2900*time.Millisecond)
	t.Logf("intervals' open conns %v, peak %d, at end %d; target held %d..%d at 0.7-1.4 s, %d..%d at 2.2-2.9 s; responses %d + %d in flight, served %d, errors %v",
		ivOpen, res.PeakOpenConns, res.OpenConnsAtEnd, lo1, hi1, lo2, hi2, res.Responses, res.InFlightAtEnd, served, res.ErrorTotal())
	if len(ivOpen) != 3 || ivOpen[0] != 40 || ivOpen[1] != 4 || ivOpen[2] != 4 {
		t.Errorf("intervals' open connections %v, want [40 4 4]", ivOpen)
	}
	if res.PeakOpenConns != 40 || res.OpenConnsAtEnd != 4 {
		t.Errorf("peak %d, at end %d; want 40 and 4", res.PeakOpenConns, res.OpenConnsAtEnd)
	}
	if lo1 < 38 || hi1 != 40 || lo2 != 4 || hi2 > 6 {
		t.Errorf("target held %d..%d connections at 40 and %d..%d at 4", lo1, hi1, lo2, hi2)
	}
	if res.ErrorTotal() != 0 || served != res.Responses+res.InFlightAtEnd {
		t.Errorf("errors %v; target served %d, client counted %d + %d in flight", res.Errors, served, res.Responses, res.InFlightAtEnd)
	}
	if res.Elapsed != 3*time.Second {
		t.Errorf("elapsed %v, want the stages' 3 s", res.Elapsed)
	}
}

// A loop that wakes more than a second after the end of the run closes no
// interval past the end, so its intervals merge by index with those of
// the loops that stopped on time.
func TestLateLoopClosesNoIntervalPastTheEnd(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Duration = 3 * time.Second
	l := testLoop(t, plan, []int{0}, nil)
	l.nextTick = tickNs
	l.now = int64(4500 * time.Millisecond)
	l.tick()
	l.tl.Finish(int64(plan.Duration), 0)
	n := len(l.rec.Intervals)
	if n != 3 || l.rec.Intervals[n-1].EndNs != int64(plan.Duration) {
		t.Fatalf("%d intervals, the last ending at %d; want 3, the last ending at %d", n, l.rec.Intervals[n-1].EndNs, int64(plan.Duration))
	}
}
