package engine

import (
	"math"
	"testing"
	"time"
)

func TestBackoffSpanDoublesToTheCap(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		n    int
		want time.Duration
	}{
		{-1, 10 * ms}, {0, 10 * ms}, {1, 10 * ms}, {2, 20 * ms}, {3, 40 * ms}, {4, 80 * ms},
		{5, 160 * ms}, {6, 320 * ms}, {7, 500 * ms}, {8, 500 * ms},
		{31, 500 * ms}, {64, 500 * ms}, {math.MaxInt, 500 * ms},
	}
	for _, tt := range tests {
		if got := backoffSpan(tt.n); got != tt.want {
			t.Errorf("backoffSpan(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// TestBackoffIsSpreadOverItsUpperHalf: the n-th wait falls in [d/2, d],
// and its values are spread over that range, not one value (which would
// phase-lock with a target refusing on a period, see backoff.go).
func TestBackoffIsSpreadOverItsUpperHalf(t *testing.T) {
	const samples = 2000
	for _, n := range []int{1, 2, 3, 5, 8, 20, math.MaxInt} {
		d := backoffSpan(n)
		lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
		distinct := map[time.Duration]bool{}
		var sum time.Duration
		for range samples {
			w := Backoff(n)
			if w < d/2 || w > d {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v]", n, w, d/2, d)
			}
			lo, hi = min(lo, w), max(hi, w)
			distinct[w] = true
			sum += w
		}
		// 2,000 uniform draws: each end of the range is within d/16 (an
		// eighth of the range) of a draw but with a chance of
		// (7/8)^2000, 1e-116.
		if lo > d/2+d/16 || hi < d-d/16 || len(distinct) < samples/2 {
			t.Errorf("Backoff(%d): %d distinct values in [%v, %v]; want them spread over [%v, %v]", n, len(distinct), lo, hi, d/2, d)
		}
		// The mean of a uniform wait in [d/2, d] is 3d/4; the mean of
		// 2,000 draws deviates from it by 0.32% of d (one standard
		// deviation): 2.5% of d is 7.7 of them (a 1% bound failed 2 times
		// in 2,100).
		if mean := sum / samples; mean < d*725/1000 || mean > d*775/1000 {
			t.Errorf("Backoff(%d): mean %v, want about %v", n, mean, d*3/4)
		}
	}
}

// TestBackoffAllocatesNothing: a reactor loop calls it on its hot path's
// failure branch.
func TestBackoffAllocatesNothing(t *testing.T) {
	if a := testing.AllocsPerRun(100, func() { _ = Backoff(3) }); a != 0 {
		t.Errorf("Backoff allocates %v times a call, want 0", a)
	}
}
