package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// TestDroppedConnectsBackOff: a server that accepts every connection and
// closes it at once, before answering anything, gets its connects at the
// pace of the connect backoff (engine.Retry), in every mode and model:
// such a connection is a failed attempt, and the next waits 5-10 ms, then
// twice as long each time, up to 250-500 ms: 9 connects per connection in
// the first second at most (maxConnects). Before, with the 16 runs
// sharing two cores, async reconnected after a fixed 5-10 ms for ever
// (22-37 a second per connection), sync at once in every model (155-185),
// goroutine at once in the closed and open models (161-178); measured
// since: 7-8.
func TestDroppedConnectsBackOff(t *testing.T) {
	const conns = 20
	models := []struct {
		name string
		plan func(p *engine.Plan)
	}{
		{"closed", func(p *engine.Plan) {}},
		{"open", func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 5000 }},
		{"hold", func(p *engine.Plan) { p.Model = engine.ModelHold }},
		{"hold_every", func(p *engine.Plan) { p.Model, p.HoldEvery = engine.ModelHold, 20*time.Millisecond }},
	}
	for _, m := range modes {
		for _, md := range models {
			t.Run(m.name+"/"+md.name, func(t *testing.T) {
				t.Parallel()
				peers := enginetest.ListenPeers(t, func(int) time.Duration { return 0 })
				p := enginetest.Plan(peers.Addr())
				p.Connections, p.Duration = conns, time.Second
				md.plan(p)
				start := time.Now()
				res := execute(t, context.Background(), m, p)
				took := time.Since(start)
				accepted := peers.Total()
				t.Logf("%d accepted over %v: %.1f per connection per second; connects %d, errors %v",
					accepted, took.Round(time.Millisecond), float64(accepted)/conns/took.Seconds(), res.Connects, res.Errors)
				if limit := conns * maxConnects(took); accepted > limit {
					t.Errorf("%d connects accepted in %v from %d connections; the backoff allows at most %d (%d each)",
						accepted, took.Round(time.Millisecond), conns, limit, maxConnects(took))
				}
				if accepted < 2*conns {
					t.Errorf("%d connects accepted; want each connection tried again at least once", accepted)
				}
				checkSums(t, res)
			})
		}
	}
}

// maxConnects returns the most connects one connection can make in d
// when each ends unanswered at once: the first, then one after each
// backoff, the n-th of which is at least half of min(BackoffBase·2^(n-1),
// BackoffCap).
func maxConnects(d time.Duration) int {
	n := 1
	var waited time.Duration
	for span := engine.BackoffBase; ; span = min(2*span, engine.BackoffCap) {
		if waited += span / 2; waited > d {
			return n
		}
		n++
	}
}

func TestMaxConnects(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{{0, 1}, {4 * time.Millisecond, 1}, {5 * time.Millisecond, 2}, {time.Second, 9}, {1100 * time.Millisecond, 10}} {
		if got := maxConnects(tt.d); got != tt.want {
			t.Errorf("maxConnects(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
