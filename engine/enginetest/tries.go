package enginetest

import (
	"fmt"
	"testing"
	"time"
)

// Tries runs try up to n times, until it reports no miss. It is for bounds
// that only a loaded machine misses, and misses by being late: a schedule
// kept behind time, a rate that falls short, when the race detector and
// other packages' tests share two cores. try returns "" when its bounds
// held, or what it missed; it calls t.Fatal itself for what must hold in
// every try (counts that agree, nothing ahead of the schedule). Each miss
// is logged; after n the test fails with the last.
func Tries(tb testing.TB, n int, try func(i int) (miss string)) {
	tb.Helper()
	var miss string
	for i := range n {
		if miss = try(i); miss == "" {
			return
		}
		tb.Logf("try %d of %d missed: %s", i+1, n, miss)
	}
	tb.Fatalf("missed in all %d tries; the last: %s", n, miss)
}

// DelayMiss checks a median latency p50 measured against a target that
// delays each response by delay: under the delay fails the test at once
// (a response cannot come before it); more than slack over it is a miss
// for Tries (a loaded machine's late timers and wake-ups).
func DelayMiss(tb testing.TB, p50, delay, slack time.Duration) string {
	tb.Helper()
	if p50 < delay {
		tb.Fatalf("median latency %v, under the %v delay", p50, delay)
	}
	if p50 > delay+slack {
		return fmt.Sprintf("median latency %v, want %v to %v", p50, delay, delay+slack)
	}
	return ""
}
