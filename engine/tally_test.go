package engine

import (
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

func TestConnTallySeesAllOpenAtOnce(t *testing.T) {
	var tl ConnTally
	tl.Opened(10, 2)
	tl.Closed() // one open, then none: never two at once yet
	tl.Opened(20, 2)
	tl.ConnectFailed("connect 127.0.0.1:1: refused")
	tl.ConnectFailed("connect 127.0.0.1:1: later")
	res := stats.NewResult()
	tl.Fill(res, 100)
	if res.EstablishedIn != 0 || res.PeakOpenConns != 1 || res.FirstConnectErr != "connect 127.0.0.1:1: refused" {
		t.Fatalf("established %v, peak %d, first error %q; want never, 1, the first", res.EstablishedIn, res.PeakOpenConns, res.FirstConnectErr)
	}
	tl.Opened(30, 2)
	tl.Opened(40, 2) // three open: all were open at 30, not later
	tl.Fill(res, 100)
	if res.EstablishedIn != 30*time.Nanosecond || res.PeakOpenConns != 3 {
		t.Fatalf("established %v, peak %d; want 30ns, 3", res.EstablishedIn, res.PeakOpenConns)
	}
}

// TestEstablishedByTheEnd: all open at once counts only by the run's end;
// a connect completing as the run stops is not the run's.
func TestEstablishedByTheEnd(t *testing.T) {
	for _, c := range []struct {
		allOpenNs, endNs int64
		want             time.Duration
	}{
		{0, 100, 0}, // never
		{1, 100, 1}, // at once
		{100, 100, 100},
		{101, 100, 0}, // after the end: never within the run
	} {
		if got := EstablishedBy(c.allOpenNs, c.endNs); got != c.want {
			t.Errorf("EstablishedBy(%d, %d) = %v, want %v", c.allOpenNs, c.endNs, got, c.want)
		}
	}
	var tl ConnTally
	tl.Opened(4_310, 1) // as a sync run of 4 s saw it (4.31 s, scaled)
	res := stats.NewResult()
	tl.Fill(res, 4_000)
	if res.EstablishedIn != 0 {
		t.Errorf("established in %v of a run that ended at 4µs; want never", res.EstablishedIn)
	}
}
