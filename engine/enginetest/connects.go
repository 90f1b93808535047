package enginetest

import (
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// StormPlanLength is how long a test holds the connections of a connect
// storm: long enough that a loaded machine still opens a thousand.
const StormPlanLength = 1500 * time.Millisecond

// CheckConnectStorm checks the connect times of a hold run that opened n
// connections at once: all were opened, the median connect is a small
// part of the whole storm (a connect is timed, not the backlog of the
// loop or scheduler, named by backlog, that saw it done), and the times
// differ (not one stamp for the storm).
func CheckConnectStorm(tb testing.TB, res *stats.Result, n int, backlog string) {
	tb.Helper()
	p50 := time.Duration(res.Connect.ValueAtQuantile(50)) * time.Microsecond
	lo, hi := time.Duration(res.Connect.Min())*time.Microsecond, time.Duration(res.Connect.Max())*time.Microsecond
	tb.Logf("%d connects, all open in %v; connect min %v p50 %v max %v", res.Connects, res.EstablishedIn, lo, p50, hi)
	if int(res.Connects) != n || res.EstablishedIn <= 0 {
		tb.Fatalf("connects %d, established in %v; want %d, all", res.Connects, res.EstablishedIn, n)
	}
	if p50 > res.EstablishedIn/4 {
		tb.Errorf("connect p50 %v against %v for the whole storm: the connect times measure the %s", p50, res.EstablishedIn, backlog)
	}
	if hi-lo < 10*time.Microsecond && res.EstablishedIn > time.Millisecond {
		tb.Errorf("every connect took %v to %v: one stamp for the whole storm", lo, hi)
	}
}
