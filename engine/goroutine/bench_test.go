package goroutine

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// BenchmarkRoundTrip measures one request and its response through the
// worker's own step: fasthttp's HostClient call (depth 1) or the
// pipeline's write and reader hand-over (depth 2, one worker), then
// recording.
func BenchmarkRoundTrip(b *testing.B) {
	for _, depth := range []int{1, 2} {
		b.Run(map[int]string{1: "host", 2: "pipeline"}[depth], func(b *testing.B) {
			benchRoundTrip(b, depth)
		})
	}
}

func benchRoundTrip(b *testing.B, depth int) {
	addr := enginetest.CannedServer(b)
	p := enginetest.Plan(addr)
	p.Connections = 1
	r := &run{
		plan: p, clock: engine.NewClock(), timeout: p.TimeoutOrDefault(), depth: depth,
		stopCh: make(chan struct{}), budget: engine.NewBudget(0), idleLimit: time.Second,
		dialCtx: context.Background(), ctx: context.Background(),
	}
	s := newSlot(r, 0, engine.NewRecorderGroup(0, 0, nil))
	w := newWorker(r, s, []int{0}, 0)
	defer s.shutdown()
	now := r.clock.Now()
	now, _ = w.once(now, now) // dial outside the loop
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		now, _ = w.once(now, now)
	}
	b.StopTimer()
	rec := s.g.Lock(now)
	defer s.g.Unlock()
	if rec.ErrorTotal() != 0 || rec.Responses != uint64(b.N)+1 {
		b.Fatalf("errors %d responses %d", rec.ErrorTotal(), rec.Responses)
	}
}

// BenchmarkOpenRoundTrip measures the open model's step: a ticket, the
// wait for its due time (already passed here, as at full rate) and the
// round trip with its latency, service time and send lag recorded.
func BenchmarkOpenRoundTrip(b *testing.B) {
	addr := enginetest.CannedServer(b)
	p := enginetest.Plan(addr)
	p.Connections, p.Model, p.RatePerSec = 1, engine.ModelOpen, 1e9
	r := newRun(context.Background(), New(), p)
	r.dialCtx, r.clock = context.Background(), engine.NewClock()
	s := newSlot(r, 0, engine.NewRecorderGroup(0, 0, nil))
	w := newWorker(r, s, []int{0}, 0)
	defer s.shutdown()
	step := func() {
		_, due, _ := r.tickets.Take()
		w.r.waitUntil(&w.timer, due)
		w.once(due, r.clock.Now())
	}
	step() // dial outside the loop
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
	b.StopTimer()
	rec := s.g.Lock(r.clock.Now())
	defer s.g.Unlock()
	if rec.ErrorTotal() != 0 || rec.Responses != uint64(b.N)+1 || rec.SendLag.TotalCount() != int64(b.N)+1 {
		b.Fatalf("errors %d responses %d send lags %d", rec.ErrorTotal(), rec.Responses, rec.SendLag.TotalCount())
	}
}

// BenchmarkHoldRequest measures one sparse request of the hold model on
// a held connection: deadlines, the write, the parse, the recording.
func BenchmarkHoldRequest(b *testing.B) {
	addr := enginetest.CannedServer(b)
	p := enginetest.Plan(addr)
	p.Connections, p.Model = 1, engine.ModelHold
	r := newRun(context.Background(), New(), p)
	r.dialCtx, r.clock = context.Background(), engine.NewClock()
	s := newSlot(r, 0, engine.NewRecorderGroup(0, 0, nil))
	h := newHolder(r, s, []int{0})
	conn, err := s.dial("")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	h.parser.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !h.request(conn, r.clock.Now()) {
			b.Fatal("the connection ended")
		}
	}
	b.StopTimer()
	rec := s.g.Lock(r.clock.Now())
	defer s.g.Unlock()
	if rec.ErrorTotal() != 0 || rec.Responses != uint64(b.N) {
		b.Fatalf("errors %d responses %d", rec.ErrorTotal(), rec.Responses)
	}
}
