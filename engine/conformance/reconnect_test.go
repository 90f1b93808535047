package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// TestHoldReconnectsKeepConnectRate: a server that drops every held
// connection at the same moment gets them back at the connect rate, not in
// a storm, in every mode: --connect-rate bounds every connect, the
// replacements included.
func TestHoldReconnectsKeepConnectRate(t *testing.T) {
	const (
		conns = 100
		rate  = 1000.0 // per second: the 100 replacements take 99 ms at least
	)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dropAt := time.Now().Add(400 * time.Millisecond) // the first connects take 100 ms
			peers := enginetest.ListenPeers(t, func(n int) time.Duration {
				if n < conns {
					return max(time.Until(dropAt), time.Microsecond) // all at once
				}
				return enginetest.Keep
			})
			p := enginetest.Plan(peers.Addr())
			p.Model, p.Connections, p.ConnectRate, p.Duration = engine.ModelHold, conns, rate, 1200*time.Millisecond
			if _, err := engine.Execute(context.Background(), m.new(), p); err != nil {
				t.Fatal(err)
			}
			at := peers.AcceptedAt()
			if len(at) < 2*conns {
				t.Fatalf("%d connections accepted, want the %d first and %d replacements", len(at), conns, conns)
			}
			first := at[conns-1].Sub(at[0])
			again := at[2*conns-1].Sub(at[conns])
			last := at[2*conns-1].Sub(dropAt)
			t.Logf("first %d connects over %v; the %d replacements over %v, starting %v after the drop, the last %v after it",
				conns, first, conns, again, at[conns].Sub(dropAt), last)
			// The last replacement's slot is 99 ms after the first's, which
			// is at or after the drop: it cannot be accepted sooner, however
			// late a loaded machine wakes (a late wake-up only delays it). A
			// storm is over within a few ms of the drop. 20% for the clock.
			if want := time.Duration(float64(conns-1)/rate*float64(time.Second)) * 8 / 10; last < want {
				t.Errorf("the last replacement came %v after the drop, want >= %v: faster than the connect rate", last, want)
			}
		})
	}
}
