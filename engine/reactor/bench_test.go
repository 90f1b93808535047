//go:build linux

package reactor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

const benchResponse = "HTTP/1.1 200 OK\r\nServer: nowait-target\r\nContent-Length: 13\r\n\r\nHello, World!"

// BenchmarkResponsePath measures the per-request work of a loop without
// the system calls: commit the next requests into a connection's ring
// (as a refill does), then parse and record one response. One op is one
// request and its response. The open variants take the requests from a
// schedule always ahead of the clock, recording each one's send lag. The
// batch variant is a pipelined connection's round: 16 requests committed
// at once and their 16 responses parsed from one read. The budget
// variants take the requests from a request count (-n), claimed from the
// loops' shared pool a chunk at a time.
func BenchmarkResponsePath(b *testing.B) {
	for _, bc := range []struct {
		name   string
		depth  int
		open   bool
		batch  int
		budget bool
	}{
		{"pipeline1", 1, false, 1, false}, {"pipeline8", 8, false, 1, false},
		{"open/pipeline1", 1, true, 1, false}, {"open/pipeline8", 8, true, 1, false},
		{"batch16", 16, false, 16, false},
		{"budget/pipeline1", 1, false, 1, true}, {"budget/batch16", 16, false, 16, true},
	} {
		depth := bc.depth
		b.Run(bc.name, func(b *testing.B) {
			plan := newPlan(b, "127.0.0.1:1", 1, 1)
			plan.Pipeline = depth
			// The clock steps 1 µs a round: a run of 10 s (the default)
			// would end within the 10 million rounds a fast machine asks.
			plan.Duration = 1000 * time.Hour
			l := testLoop(b, plan, []int{0}, func(cfg *loopConfig) {
				if bc.open {
					cfg.sched = newOpenFeed(engine.NewSchedule(1e9, nil), 1, 0, -1) // one due every ns
				}
				if bc.budget {
					cfg.pool = newPool(1<<62, 1)
				}
			})
			c := &l.conns[0]
			c.state = stateOpen
			resp := []byte(strings.Repeat(benchResponse, bc.batch))
			rounds := (b.N + bc.batch - 1) / bc.batch
			b.ReportAllocs()
			b.ResetTimer()
			for i := range rounds {
				l.now = int64(i) * 1000
				if l.commit(c) {
					c.woff = int32(len(c.wbuf)) // as if written
				}
				if !l.parse(c, resp) {
					b.Fatal("connection closed")
				}
			}
			b.StopTimer()
			if l.rec.Responses != uint64(rounds*bc.batch) {
				b.Fatalf("%d responses recorded for %d", l.rec.Responses, rounds*bc.batch)
			}
		})
	}
}

// BenchmarkHoldRequest measures a hold-model request on an idle
// connection without the system calls: the connection takes an rx from
// the loop's pool for the request, the response is parsed and recorded,
// and the idle connection gives the rx back. One op is one request.
func BenchmarkHoldRequest(b *testing.B) {
	plan := newPlan(b, "127.0.0.1:1", 1, 1)
	plan.Model, plan.HoldEvery = engine.ModelHold, time.Second
	l := testLoop(b, plan, []int{0}, func(cfg *loopConfig) { cfg.hold = newHold(plan, 1, nil) })
	c := &l.conns[0]
	c.state = stateOpen
	resp := []byte(benchResponse)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l.now = int64(i) * 1000
		l.holdCommit(c, l.now)
		c.woff = int32(len(c.wbuf)) // as if written
		if !l.parse(c, resp) {
			b.Fatal("connection closed")
		}
		if c.inflight == 0 {
			l.putRx(c)
		}
	}
	b.StopTimer()
	if l.rec.Responses != uint64(b.N) || c.rx != nil || len(l.rxFree) != 1 {
		b.Fatalf("%d responses recorded for %d, rx %v, pool %d", l.rec.Responses, b.N, c.rx, len(l.rxFree))
	}
}

// BenchmarkRun drives one loop with 50 connections against the in-process
// target for b.N requests. Allocations include the target's (fasthttp), so
// BenchmarkResponsePath is the proof of the client's 0 allocs/op.
func BenchmarkRun(b *testing.B) {
	srv := enginetest.StartTarget(b, target.Config{})
	plan := newPlan(b, srv.Addr(), 50, 1)
	plan.MaxRequests = int64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	res := runPlan(b, context.Background(), plan)
	b.StopTimer()
	if res.Responses != uint64(b.N) {
		b.Fatalf("%d responses for %d requests", res.Responses, b.N)
	}
	b.ReportMetric(float64(res.Responses)/res.Elapsed.Seconds(), "req/s")
}
