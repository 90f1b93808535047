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
	tl.Fill(res)
	if res.EstablishedIn != 0 || res.PeakOpenConns != 1 || res.FirstConnectErr != "connect 127.0.0.1:1: refused" {
		t.Fatalf("established %v, peak %d, first error %q; want never, 1, the first", res.EstablishedIn, res.PeakOpenConns, res.FirstConnectErr)
	}
	tl.Opened(30, 2)
	tl.Opened(40, 2) // three open: all were open at 30, not later
	tl.Fill(res)
	if res.EstablishedIn != 30*time.Nanosecond || res.PeakOpenConns != 3 {
		t.Fatalf("established %v, peak %d; want 30ns, 3", res.EstablishedIn, res.PeakOpenConns)
	}
}
