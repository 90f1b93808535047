package engine

import (
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

func TestConnTallySeesAllOpenAtOnce(t *testing.T) {
	var tl ConnTally
	tl.Opened(10, 2)
	tl.Closed(15) // one open, then none: never two at once yet
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

// TestRetryNsStopsAtTheGiveUp: a backoff that would outlast the moment a
// run bounded by a request count gives up ends at that moment, when
// GivesUp turns true; a timed run, or one with a connection open, waits
// the whole backoff.
func TestRetryNsStopsAtTheGiveUp(t *testing.T) {
	counted := &Plan{MaxRequests: 10, ConnectTimeout: 400 * time.Millisecond}
	var tl ConnTally
	tl.Opened(100e6, 10)
	tl.Closed(100e6) // none open since 100 ms: the run gives up after 500 ms
	if got := tl.RetryNs(counted, 200e6, 100*time.Millisecond); got != 300e6 {
		t.Errorf("a backoff within the give-up retries at %d, want 300e6", got)
	}
	got := tl.RetryNs(counted, 450e6, time.Second)
	if got != 500e6+1 || tl.GivesUp(counted, got-1) || !tl.GivesUp(counted, got) {
		t.Errorf("a backoff past the give-up retries at %d, want at the give-up, 500e6+1", got)
	}
	timed := &Plan{Duration: time.Second, ConnectTimeout: 400 * time.Millisecond}
	if got := tl.RetryNs(timed, 450e6, time.Second); got != 1450e6 {
		t.Errorf("a timed run retries at %d, want 1450e6: it never gives up", got)
	}
	tl.Opened(460e6, 10) // one open: the run does not give up
	if got := tl.RetryNs(counted, 470e6, time.Second); got != 1470e6 {
		t.Errorf("with a connection open the retry is at %d, want 1470e6", got)
	}
}
