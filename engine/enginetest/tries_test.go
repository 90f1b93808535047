package enginetest

import (
	"fmt"
	"testing"
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
