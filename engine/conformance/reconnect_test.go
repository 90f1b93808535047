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
			t.Logf("first %d connects over %v; the %d replacements over %v, starting %v after the drop",
				conns, first, conns, again, at[conns].Sub(dropAt))
			// 99 slots of 1 ms: allow the machine's jitter below, none of
			// a storm's (all within a few ms).
			if want := time.Duration(float64(conns-1)/rate*float64(time.Second)) * 8 / 10; again < want {
				t.Errorf("the replacements came over %v, want >= %v: faster than the connect rate", again, want)
			}
		})
	}
}
