//go:build linux

package reactor

import (
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func TestNapLength(t *testing.T) {
	us := int64(time.Microsecond)
	for _, tc := range []struct {
		name     string
		off      bool
		depth    int   // requests in flight per connection; 0: 1
		rtt      int64 // ns; 0: no response yet
		perRead  int64 // responses per read; 0: no read yet
		events   int
		inflight int
		want     int64
	}{
		// 100 connections pipelining 16 deep, 2 ms round trips: 1/8 of it.
		// (6 sockets expected ready).
		{name: "pipelined", depth: 16, rtt: 2000 * us, perRead: 16, events: 3, inflight: 1600, want: 2000 * us / pipelinedNapShare},
		// 200 connections, one request each, on a 1 ms server: 1/8 of the
		// round trip would expect 25 responses, but without pipelining a
		// nap is at most 1/16 of it (12.5 responses, under a batch).
		{name: "not pipelined: a shorter share", depth: 1, rtt: 1000 * us, perRead: 1, events: 1, inflight: 200},
		{name: "pipelined: the longer share", depth: 2, rtt: 1000 * us, perRead: 1, events: 1, inflight: 200, want: 1000 * us / pipelinedNapShare},
		// 25 connections pipelining 16 deep on a 2.5 ms server: 25
		// responses per nap, but from 1.6 sockets.
		{name: "pipelined, too few sockets per nap", rtt: 2500 * us, perRead: 16, events: 1, inflight: 400},
		{name: "one response per read", rtt: 2500 * us, perRead: 1, events: 1, inflight: 400, want: 2500 * us / napShare},
		{name: "long round trips are capped", rtt: 20_000 * us, events: 0, inflight: 5000, want: maxNapNs},
		{name: "the last wait found plenty", rtt: 2700 * us, events: napBatch, inflight: 1600},
		{name: "open or hold model", off: true, rtt: 2700 * us, events: 3, inflight: 1600},
		{name: "no response yet", events: 0, inflight: 1600},
		// 10 connections against a 5 ms delay: under one response per nap.
		{name: "slow target, few connections", rtt: 5000 * us, events: 1, inflight: 10},
		// 1000 connections, 20 ms: 15 responses per 300 µs, under a batch.
		{name: "too few responses per nap", rtt: 20_000 * us, events: 1, inflight: 1000},
		// fast round trips: a nap would be shorter than a timer is worth.
		{name: "too short to take", rtt: 400 * us, events: 1, inflight: 10_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNapper(!tc.off, max(tc.depth, 1))
			n.rtt, n.perRead, n.events = tc.rtt, tc.perRead*readScale, tc.events
			if got := n.length(tc.inflight); got != tc.want {
				t.Fatalf("length(%d) = %v, want %v", tc.inflight, time.Duration(got), time.Duration(tc.want))
			}
		})
	}
}

func TestNapAverageFollowsResponseTimes(t *testing.T) {
	var n napper
	n.observe(1000)
	if n.rtt != 1000 {
		t.Fatalf("first response: average %d, want 1000", n.rtt)
	}
	for range 200 {
		n.observe(5000)
	}
	if n.rtt < 4900 || n.rtt > 5000 {
		t.Fatalf("after 200 responses of 5000 ns: average %d", n.rtt)
	}
}

// runLoop runs one loop of plan to its end, with naps at batch responses
// and ready sockets, and returns it.
func runLoop(t *testing.T, plan *engine.Plan, batch, ready int) *loop {
	t.Helper()
	l := testLoop(t, plan, slotAddrs(plan.Connections, 1, 1, 0), nil)
	l.nap.batch, l.nap.ready = batch, ready
	if err := l.run(); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestNappingLoopCountsExactly: a loop that naps (with the batch lowered
// so that it does on a slow machine too) still counts what the target
// served, ends on time and fails nothing.
func TestNappingLoopCountsExactly(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
	// 800 in flight: naps need in flight x 300 µs >= 2 x the response
	// time, which holds up to 120 ms, however slow a loaded machine is.
	// No ready sockets are asked for: with 8 responses a read, even one
	// would hold only up to 30 ms (66 ms were seen under -race in CI).
	plan := newPlan(t, srv.Addr(), 100, 1)
	plan.Pipeline = 8
	plan.Duration = 700 * time.Millisecond
	start := time.Now()
	l := runLoop(t, plan, 2, 0)
	took := time.Since(start)
	served := settle(srv)
	got := l.rec.Responses
	if l.nap.naps == 0 {
		t.Fatalf("no nap in %d responses (average response time %v)", got, time.Duration(l.nap.rtt))
	}
	if got == 0 || l.rec.ErrorTotal() != 0 {
		t.Fatalf("responses %d, errors %v", got, l.rec.Errors)
	}
	if served < got || served > got+uint64(l.inFlightAtEnd) {
		t.Errorf("target served %d, loop counted %d with %d in flight", served, got, l.inFlightAtEnd)
	}
	if took > plan.Duration+2*time.Second {
		t.Errorf("a 700 ms run took %v", took)
	}
	t.Logf("%d naps, %d responses", l.nap.naps, got)
}

// TestNoNapsForAFewSlowConnections: a loop waiting on a slow target with
// few requests in flight never naps, so the latency it measures is the
// target's delay (within 2 ms in one try of three, as in
// TestDelayShowsInMedian; naps fail in any try).
func TestNoNapsForAFewSlowConnections(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 5 * time.Millisecond})
	enginetest.Tries(t, 3, func(int) string {
		plan := newPlan(t, srv.Addr(), 4, 1)
		plan.Duration = 500 * time.Millisecond
		l := runLoop(t, plan, napBatch, napEvents)
		if l.nap.naps != 0 {
			t.Fatalf("%d naps with 4 connections on a 5 ms target", l.nap.naps)
		}
		return enginetest.DelayMiss(t, time.Duration(stats.Quantile(l.rec.Latency, 50))*time.Microsecond, 5*time.Millisecond, 2*time.Millisecond)
	})
}

func TestNapReadAverageFollowsResponsesPerRead(t *testing.T) {
	var n napper
	n.read(16)
	if n.perRead != 16*readScale {
		t.Fatalf("first read: average %d, want %d", n.perRead, 16*readScale)
	}
	for range 200 {
		n.read(1)
	}
	if n.perRead < readScale || n.perRead > readScale+readScale/8 {
		t.Fatalf("after 200 reads of one response: average %d/%d", n.perRead, readScale)
	}
}
