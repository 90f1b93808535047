package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestRetriesDoNotLockToPeriodicRefusals: against a target that refuses
// connects for 180 ms of every 200 ms, connections keep getting through
// for the whole run, in every mode. The target closes each connection
// after 5 responses, so a connection reconnects just as a refusal begins
// and backs off from there. A backoff without jitter is a fixed sequence
// of waits that ends in a fixed period (the modes had 5 ms doubling to
// 200 ms, and 10 ms doubling to 1 s: both caps multiples of 200 ms). Its
// retries all fell within the 180 ms of refusal and the last stayed there
// for ever, refused every time, so that after the first refusal nothing
// connected at all for seconds. The jittered backoff (engine.Backoff)
// spreads the retries over the target's cycle: one at the cap gets
// through with a chance of 1 in 10, and 100 connections make about 270
// tries a second.
//
// The 100 ms request timeout makes the reactor's sweep, which starts its
// retries, run every 5 ms (it is a twentieth of the shortest timeout, at
// most 25 ms): a retry up to 25 ms late is a jitter of its own, which
// hid the lock from some of its connections.
func TestRetriesDoNotLockToPeriodicRefusals(t *testing.T) {
	const (
		conns    = 100
		duration = 4 * time.Second
	)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := enginetest.StartTarget(t, target.Config{
				Refuse: 180 * time.Millisecond, RefuseEvery: 200 * time.Millisecond, CloseAfter: 5,
			})
			p := enginetest.Plan(srv.Addr())
			p.Connections, p.Duration, p.Timeout = conns, duration, 100*time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), duration+10*time.Second)
			defer cancel()
			res, err := engine.Execute(ctx, m.new(), p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: requests %d, connects %d, refused %d; connects by second: %v", m.name,
				res.Requests, res.Connects, res.Errors[stats.ErrConnectRefused], connectsBySecond(res))
			if res.Errors[stats.ErrConnectRefused] == 0 {
				t.Fatalf("no connect refused in %s: the test did not test", res.Elapsed)
			}
			// The first refusal begins 200 ms into the run: from the
			// second second on, every second has refusals to get past.
			for i, iv := range res.Intervals {
				if i > 0 && iv.EndNs-iv.StartNs >= int64(time.Second)/2 && iv.Connects == 0 {
					t.Errorf("second %d: no connection got through (%d connects refused): the retries are locked in phase with the refusals",
						i+1, iv.Errors[stats.ErrConnectRefused])
				}
			}
		})
	}
}

// connectsBySecond lists the connects of each interval of res.
func connectsBySecond(res *stats.Result) []uint64 {
	out := make([]uint64, len(res.Intervals))
	for i, iv := range res.Intervals {
		out[i] = iv.Connects
	}
	return out
}
