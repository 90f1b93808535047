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

// TestRetryEnded: a connection ends the failures in a row when it was
// answered or held BackoffHeld; otherwise it is one more failure, as a
// failed connect is, and its wait doubles as theirs does.
func TestRetryEnded(t *testing.T) {
	held := int64(BackoffHeld)
	var r Retry
	steps := []struct {
		name     string
		do       func() time.Duration
		wantFail int
	}{
		{"refused", r.ConnectFailed, 1},
		{"opened, dropped at once", func() time.Duration { return r.Ended(false, 0) }, 2},
		{"opened, dropped just short of held", func() time.Duration { return r.Ended(false, held-1) }, 3},
		{"refused again", r.ConnectFailed, 4},
		{"answered, then dropped at once", func() time.Duration { return r.Ended(true, 0) }, 0},
		{"dropped unanswered", func() time.Duration { return r.Ended(false, 5) }, 1},
		{"held, never answered", func() time.Duration { return r.Ended(false, held) }, 0},
	}
	for _, st := range steps {
		w := st.do()
		if r.Fails() != st.wantFail {
			t.Fatalf("%s: %d failures in a row, want %d", st.name, r.Fails(), st.wantFail)
		}
		if st.wantFail == 0 && w != 0 {
			t.Errorf("%s: wait %v, want none", st.name, w)
		}
		if d := backoffSpan(st.wantFail); st.wantFail > 0 && (w < d/2 || w > d) {
			t.Errorf("%s: wait %v, want in [%v, %v]", st.name, w, d/2, d)
		}
	}
}

// TestRetryAllocatesNothing: the reactor calls it on a connection's end.
func TestRetryAllocatesNothing(t *testing.T) {
	var r Retry
	if a := testing.AllocsPerRun(100, func() { _ = r.Ended(false, 0); _ = r.ConnectFailed() }); a != 0 {
		t.Errorf("Retry allocates %v times a call, want 0", a)
	}
}
