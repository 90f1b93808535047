package enginetest

import (
	"fmt"
	"testing"
	"time"
)

// fakeTB records what Tries reports, so that its failure can be seen.
type fakeTB struct {
	testing.TB
	logs   int
	failed string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Logf(string, ...any)            { f.logs++ }
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

func TestTriesStopsAtTheFirstHit(t *testing.T) {
	f := &fakeTB{}
	calls := 0
	Tries(f, 3, func(i int) string {
		calls++
		if i < 1 {
			return "late"
		}
		return ""
	})
	if calls != 2 || f.logs != 1 || f.failed != "" {
		t.Fatalf("calls %d, logs %d, failed %q; want 2 calls, 1 miss logged, no failure", calls, f.logs, f.failed)
	}
}

func TestTriesFailsWhenEveryTryMisses(t *testing.T) {
	f := &fakeTB{}
	calls := 0
	Tries(f, 3, func(i int) string { calls++; return fmt.Sprintf("late %d", i) })
	if calls != 3 || f.logs != 3 || f.failed != "missed in all 3 tries; the last: late 2" {
		t.Fatalf("calls %d, logs %d, failed %q", calls, f.logs, f.failed)
	}
}

func TestDelayMiss(t *testing.T) {
	f := &fakeTB{}
	if m := DelayMiss(f, 6*time.Millisecond, 5*time.Millisecond, 2*time.Millisecond); m != "" || f.failed != "" {
		t.Fatalf("6 ms for a 5 ms delay: miss %q, failed %q", m, f.failed)
	}
	if m := DelayMiss(f, 7300*time.Microsecond, 5*time.Millisecond, 2*time.Millisecond); m != "median latency 7.3ms, want 5ms to 7ms" || f.failed != "" {
		t.Fatalf("7.3 ms: miss %q, failed %q", m, f.failed)
	}
	DelayMiss(f, 4*time.Millisecond, 5*time.Millisecond, 2*time.Millisecond)
	if f.failed != "median latency 4ms, under the 5ms delay" {
		t.Fatalf("4 ms: failed %q", f.failed)
	}
}
