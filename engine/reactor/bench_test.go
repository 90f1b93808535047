package reactor

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/nowait/nowait/target"
)

const benchResponse = "HTTP/1.1 200 OK\r\nServer: nowait-target\r\nContent-Length: 13\r\n\r\nHello, World!"

// BenchmarkResponsePath measures the per-request work of a loop without
// the system calls: commit the next requests into a connection's ring
// (as a refill does), then parse and record one response. One op is one
// request and its response.
func BenchmarkResponsePath(b *testing.B) {
	for _, depth := range []int{1, 8} {
		b.Run(map[int]string{1: "pipeline1", 8: "pipeline8"}[depth], func(b *testing.B) {
			plan := newPlan(b, "127.0.0.1:1", 1, 1)
			plan.Pipeline = depth
			mx, err := newMix(plan.Requests, depth)
			if err != nil {
				b.Fatal(err)
			}
			l, err := newLoop(loopConfig{plan: plan, mix: mx, addrs: []int{0}, budget: -1, open: new(atomic.Int64)})
			if err != nil {
				b.Fatal(err)
			}
			defer l.poll.close()
			c := &l.conns[0]
			c.state = stateOpen
			resp := []byte(benchResponse)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				l.now = int64(i) * 1000
				if l.commit(c) {
					c.woff = len(c.wbuf) // as if written
				}
				if !l.parse(c, resp) {
					b.Fatal("connection closed")
				}
			}
			b.StopTimer()
			if l.rec.Responses != uint64(b.N) {
				b.Fatalf("%d responses recorded for %d", l.rec.Responses, b.N)
			}
		})
	}
}

// BenchmarkRun drives one loop with 50 connections against the in-process
// target for b.N requests. Allocations include the target's (fasthttp), so
// BenchmarkResponsePath is the proof of the client's 0 allocs/op.
func BenchmarkRun(b *testing.B) {
	srv := startTarget(b, target.Config{})
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
