package enginetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// StormLimit bounds the hold of a connect storm run by RunStorm, which
// ends the run as soon as every connection is open. Under -race beside
// other tests on a loaded 2-core machine a storm of 1,000 took 0.1 to 2 s
// to open; a fixed hold (500 ms, then 1.5 s) ended some with 268, 400,
// 706 or 992 of 1,000 open. Only a storm still short after this long
// fails.
const StormLimit = 30 * time.Second

// RunStorm runs plan, a hold of plan.Connections connections all due at
// once against srv (plan.Duration: StormLimit), on e until they are all
// open at once, at both ends: in the run's live count and at srv. It
// fails the test if they never were, or unless srv accepted exactly as
// many connections as the run counted connects.
func RunStorm(tb testing.TB, e engine.Engine, plan *engine.Plan, srv *target.Server) *stats.Result {
	tb.Helper()
	plan.Live = &stats.Live{}
	n := int64(plan.Connections)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var allOpen bool
	var watch sync.WaitGroup
	watch.Go(func() { // owned by RunStorm: ends when all are open, or the run ended
		// Every engine notes "all open" (Result.EstablishedIn) before it
		// adds the last connection to the live count, so the stop cannot
		// come between them.
		for ctx.Err() == nil && !allOpen {
			time.Sleep(time.Millisecond)
			allOpen = plan.Live.Read().OpenConns >= n && srv.OpenConns() >= n
		}
		cancel()
	})
	res, err := engine.Execute(ctx, e, plan)
	cancel()
	watch.Wait()
	if err != nil {
		tb.Fatal(err)
	}
	if !allOpen {
		tb.Fatalf("the run ended (after %s) before all %d connections were open at once: %d connects, the target has %d open",
			res.Elapsed, n, res.Connects, srv.OpenConns())
	}
	if a := AwaitAccepted(srv, res.Connects); a != res.Connects {
		tb.Fatalf("the target accepted %d connections, the run counted %d connects", a, res.Connects)
	}
	return res
}

// AwaitAccepted returns how many connections srv has accepted, once that
// is at least want, or after 10 s. A client counts a connect when the
// kernel has completed it; the target accepts it from its listen backlog
// when its accept loop gets to run, which a loaded machine delays.
func AwaitAccepted(srv *target.Server, want uint64) uint64 {
	end := time.Now().Add(10 * time.Second)
	for {
		a := srv.Stats().Accepted
		if a >= want || time.Now().After(end) {
			return a
		}
		time.Sleep(5 * time.Millisecond)
	}
}

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
