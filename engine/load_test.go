package engine

import (
	"math"
	"testing"
	"time"
)

const sec = int64(time.Second)

func TestScheduleConstantRate(t *testing.T) {
	s := NewSchedule(1000, nil)
	for _, tc := range []struct {
		n    int64
		want int64
	}{{0, 0}, {1, sec / 1000}, {1000, sec}, {2500, 2500 * sec / 1000}} {
		got, ok := s.Due(tc.n)
		if !ok || abs(got-tc.want) > 1 {
			t.Errorf("Due(%d) = %d, %v; want %d", tc.n, got, ok, tc.want)
		}
	}
	if s.Total() != -1 || s.End() != 0 {
		t.Errorf("a constant rate has no end: total %d end %s", s.Total(), s.End())
	}
}

func TestScheduleRampUpHoldDown(t *testing.T) {
	// 0 -> 1000/s over 10 s (5000 requests), 1000/s for 10 s (10000),
	// 1000 -> 0 over 10 s (5000): 20000 in all.
	s := NewSchedule(0, []Stage{{10 * time.Second, 1000}, {10 * time.Second, 1000}, {10 * time.Second, 0}})
	if s.Total() != 20000 || s.End() != 30*time.Second {
		t.Fatalf("total %d end %s; want 20000 and 30s", s.Total(), s.End())
	}
	cases := []struct {
		n    int64
		want int64 // ns
	}{
		{0, 0},
		{1250, 5 * sec},   // N(t) = 50 t² on the ramp: 1250 at 5 s
		{5000, 10 * sec},  // end of the ramp
		{10000, 15 * sec}, // halfway through the plateau
		{15000, 20 * sec},
		{18750, 25 * sec}, // ramp down: 15000 + 1000 t - 50 t² = 18750 at t = 5
	}
	for _, tc := range cases {
		got, ok := s.Due(tc.n)
		if !ok || abs(got-tc.want) > int64(time.Microsecond) {
			t.Errorf("Due(%d) = %v, %v; want %v", tc.n, time.Duration(got), ok, time.Duration(tc.want))
		}
	}
	if _, ok := s.Due(20001); ok {
		t.Error("request 20001 is due after the schedule ended")
	}
}

func TestScheduleIsMonotonic(t *testing.T) {
	s := NewSchedule(100, []Stage{{2 * time.Second, 5000}, {time.Second, 5000}, {2 * time.Second, 50}})
	prev := int64(-1)
	for n := int64(0); ; n++ {
		due, ok := s.Due(n)
		if !ok {
			if n < s.Total()-1 {
				t.Fatalf("schedule ended at %d of %d", n, s.Total())
			}
			break
		}
		if due < prev {
			t.Fatalf("Due(%d) = %d before Due(%d) = %d", n, due, n-1, prev)
		}
		prev = due
	}
}

func TestScheduleSplitAcrossLoopsCoversEveryRequest(t *testing.T) {
	// Loop k of L takes n = k, k+L, ...: together they send exactly the
	// global schedule, whatever L is.
	s := NewSchedule(0, []Stage{{time.Second, 3000}})
	for _, loops := range []int64{1, 2, 3, 7} {
		var count int64
		for k := int64(0); k < loops; k++ {
			for n := k; ; n += loops {
				if _, ok := s.Due(n); !ok {
					break
				}
				count++
			}
		}
		if count < s.Total()-1 || count > s.Total() {
			t.Errorf("%d loops sent %d requests, schedule holds %d", loops, count, s.Total())
		}
	}
}

func TestConnRamp(t *testing.T) {
	r := NewConnRamp(50, []Stage{{10 * time.Second, 50}, {10 * time.Second, 400}})
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{{0, 50}, {5 * time.Second, 50}, {10 * time.Second, 50}, {15 * time.Second, 225}, {20 * time.Second, 400}, {time.Hour, 400}} {
		if got := r.At(tc.at); got != tc.want {
			t.Errorf("At(%s) = %d, want %d", tc.at, got, tc.want)
		}
	}
	if r.Max() != 400 {
		t.Errorf("Max = %d, want 400", r.Max())
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestScheduleHoldsRateTimesDuration: -R N for D seconds schedules exactly
// N*D requests before the end (as wrk2 and vegeta send), for rates whose
// per-nanosecond value is inexact in binary, and a ramp down to 0 holds
// the area under it.
func TestScheduleHoldsRateTimesDuration(t *testing.T) {
	for _, rate := range []float64{1, 3, 7, 21, 100, 1000, 2000, 3000, 12345, 50000} {
		for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			s := NewSchedule(rate, nil)
			want := int64(math.Round(rate * d.Seconds()))
			if got := FirstAt(&s, int64(d)); got != want {
				t.Errorf("-R %v for %s: %d due before the end, want %d", rate, d, got, want)
			}
		}
	}
	ramp := NewSchedule(0, []Stage{{Duration: time.Second, Target: 2000}, {Duration: time.Second, Target: 0}})
	if got := FirstAt(&ramp, int64(2*time.Second)); got != 2000 || ramp.Total() != 2000 {
		t.Errorf("ramp 0 -> 2000 -> 0 over 2 s: %d due, total %d; want 2000", got, ramp.Total())
	}
}
