package threaded

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// TestHoldFootprint measures what a held connection costs in sync mode:
// resident memory per connection once all are established, threads, and
// connect times. It runs only when NOWAIT_FOOTPRINT names the connection
// counts, such as NOWAIT_FOOTPRINT=1000,5000, best without -race and on
// its own (-run TestHoldFootprint): the figures are the whole process's.
// The server is a bare listener that keeps what it accepts (a few hundred
// bytes a connection), so nearly all the growth is the client's.
func TestHoldFootprint(t *testing.T) {
	spec := os.Getenv("NOWAIT_FOOTPRINT")
	if spec == "" {
		t.Skip("set NOWAIT_FOOTPRINT=1000,5000 to measure")
	}
	for _, f := range splitInts(t, spec) {
		a := enginetest.ListenPeers(t, nil)
		p := holdPlan(t, a.Addr(), f, 20*time.Second)
		p.Live = &stats.Live{}
		ctx, cancel := context.WithCancel(context.Background())
		before, threadsBefore := stats.RSSBytes(), stats.ThreadCount()
		var rss int64
		var threads int
		var allIn time.Duration
		done := make(chan struct{})
		start := time.Now()
		go func() { // owned by the test: ends when all are open, or after 15 s
			defer close(done)
			defer cancel()
			for time.Since(start) < 15*time.Second {
				time.Sleep(20 * time.Millisecond)
				if p.Live.Read().OpenConns == int64(f) {
					allIn = time.Since(start)
					time.Sleep(200 * time.Millisecond) // let the last threads settle in read
					rss, threads = stats.RSSBytes(), stats.ThreadCount()
					return
				}
			}
		}()
		res, err := engine.Execute(ctx, New(), p)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if rss == 0 {
			t.Fatalf("%d connections: only %d open after 15 s", f, p.Live.Read().OpenConns)
		}
		t.Logf("sync hold c=%d: RSS %.1f MiB -> %.1f MiB, %.1f KiB per connection; threads %d -> %d; all open after %s (established in %s); connect p50 %d µs p99 %d µs max %d µs; errors %d; generator peak RSS %.1f MiB, rss_bytes_per_connection %.1f KiB",
			f, float64(before)/(1<<20), float64(rss)/(1<<20), float64(rss-before)/float64(f)/1024,
			threadsBefore, threads, allIn, res.EstablishedIn,
			res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99), res.Connect.Max(), res.ErrorTotal(),
			float64(res.Generator.PeakRSSBytes)/(1<<20), float64(res.Generator.PeakRSSBytes-res.Generator.StartRSSBytes)/float64(f)/1024)
	}
}

func splitInts(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			t.Fatalf("NOWAIT_FOOTPRINT: %v", err)
		}
		out = append(out, n)
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
