package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestDelayInTheMedian: against a target that answers 5 ms late, every
// mode's median latency lies between 5 and 7 ms. Under 5 ms fails at
// once; over 7 ms is what a loaded machine adds to the target's timer and
// the client's wake-up under -race (a fresh-clone CI run saw 7.3 ms in the
// reactor's own test), so it must hold in one try of three.
func TestDelayInTheMedian(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 5 * time.Millisecond})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			enginetest.Tries(t, 3, func(int) string {
				p := enginetest.Plan(srv.Addr())
				p.Connections, p.MaxRequests = 10, 1000
				res, err := engine.Execute(context.Background(), m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				if res.Responses != 1000 || res.ErrorTotal() != 0 {
					t.Fatalf("responses %d, errors %v; want 1000 and none", res.Responses, res.Errors)
				}
				return enginetest.DelayMiss(t, time.Duration(res.Latency.ValueAtQuantile(50))*time.Microsecond, 5*time.Millisecond, 2*time.Millisecond)
			})
		})
	}
}
