package conformance

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// runOpen runs the open model at rate for d on conns connections against
// srv in mode m.
func runOpen(t *testing.T, m mode, srv *target.Server, rate float64, d time.Duration, conns int) *stats.Result {
	t.Helper()
	p := enginetest.Plan(srv.Addr())
	p.Model, p.RatePerSec, p.Duration, p.Connections = engine.ModelOpen, rate, d, conns
	res, err := engine.Execute(context.Background(), m.new(), p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOpenCoordinatedOmission: a target that stalls 300 ms every second,
// loaded at 1000/s, shows the stalls in the corrected latency (from each
// request's due time) while most requests' service time stays small, in
// every mode.
func TestOpenCoordinatedOmission(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			// The stalls must show in every try; the small service p50,
			// which a loaded machine's slow target can spoil, in one of three.
			enginetest.Tries(t, 3, func(int) string {
				srv := enginetest.StartTarget(t, target.Config{Stall: 300 * time.Millisecond, StallEvery: time.Second})
				res := runOpen(t, m, srv, 1000, 2500*time.Millisecond, 50)
				p99 := time.Duration(res.Latency.ValueAtQuantile(99)) * time.Microsecond
				svc50 := time.Duration(res.Service.ValueAtQuantile(50)) * time.Microsecond
				t.Logf("corrected p99 %s, service p50 %s, p99 %s; responses %d, stalled %d", p99, svc50,
					time.Duration(res.Service.ValueAtQuantile(99))*time.Microsecond, res.Responses, srv.Stats().Stalled)
				if p99 < 250*time.Millisecond {
					t.Fatalf("corrected p99 %s, want >= 250ms: the stalls are hidden", p99)
				}
				if svc50 >= 50*time.Millisecond {
					return fmt.Sprintf("service p50 %s, want < 50ms", svc50)
				}
				return ""
			})
		})
	}
}

// TestOpenTooFewConnections: 10 connections to a target answering in
// 50 ms hold 200 req/s at most, so -R 10000 is flagged saturated with
// that reason, and what could not be sent is counted as dropped, in every
// mode.
func TestOpenTooFewConnections(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := enginetest.StartTarget(t, target.Config{Delay: 50 * time.Millisecond})
			res := runOpen(t, m, srv, 10000, 1500*time.Millisecond, 10)
			t.Logf("saturation %+v, responses %d, dropped %d", res.Saturation, res.Responses, res.Dropped)
			if !res.Saturation.Saturated || !strings.Contains(res.Saturation.Reason, "too few connections") {
				t.Errorf("saturation %+v; want saturated by too few connections", res.Saturation)
			}
			if res.Dropped < 10000 {
				t.Errorf("dropped %d, want most of the 15000 scheduled", res.Dropped)
			}
		})
	}
}
