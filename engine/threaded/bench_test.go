package threaded

import (
	"context"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// BenchmarkRoundTrip measures one request and its response on an open
// connection: send, blocking read, parse, record.
func BenchmarkRoundTrip(b *testing.B) {
	for _, depth := range []int{1, 4} {
		b.Run("pipeline"+string(rune('0'+depth)), func(b *testing.B) {
			addr := enginetest.CannedServer(b)
			p := benchPlan(addr)
			p.Pipeline = depth
			r := benchRun(b, p)
			r.depth = depth
			c := newConn(r, 0, engine.NewRecorderGroup(0, 0, nil))
			if !c.connect() {
				b.Fatal("connect failed")
			}
			defer c.close()
			now := r.clock.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; {
				if !c.send(now) {
					b.Fatal("send failed")
				}
				var ok bool
				before := c.n
				if now, ok = c.receive(); !ok {
					b.Fatal("receive failed")
				}
				i += before - c.n
			}
		})
	}
}

// BenchmarkOpenRoundTrip measures one request of the open model on an
// open connection, through serveOpen itself: take a ticket (due at once:
// the rate is 1e9/s), write, blocking read, parse, record with the send
// lag and service time.
func BenchmarkOpenRoundTrip(b *testing.B) {
	p := benchPlan(enginetest.CannedServer(b))
	p.Model, p.RatePerSec = engine.ModelOpen, 1e9
	r := benchRun(b, p)
	r.paced = true
	r.tickets = engine.NewTickets(engine.NewSchedule(p.RatePerSec, nil), int64(b.N), 0)
	c := newConn(r, 0, engine.NewRecorderGroup(0, 0, nil))
	if !c.connect() {
		b.Fatal("connect failed")
	}
	defer c.close()
	b.ReportAllocs()
	b.ResetTimer()
	if !c.serveOpen() {
		b.Fatal("serveOpen failed")
	}
	b.StopTimer()
	if rec := c.lock(r.clock.Now()); rec.Responses != uint64(b.N) || rec.SendLag.TotalCount() != int64(b.N) {
		b.Fatalf("responses %d, send lags %d; want %d", rec.Responses, rec.SendLag.TotalCount(), b.N)
	}
	c.unlock()
}

// benchRun returns a run of p as Run would prepare it, on a started clock.
func benchRun(b *testing.B, p *engine.Plan) *run {
	b.Helper()
	r := newRun(context.Background(), p)
	r.clock = engine.NewClock()
	fd, err := newStopFd()
	if err != nil {
		b.Fatal(err)
	}
	r.stopFd = fd
	b.Cleanup(func() { unix.Close(fd) })
	return r
}

func benchPlan(addr string) *engine.Plan {
	p := enginetest.Plan(addr)
	p.Connections = 1
	return p
}

// BenchmarkSleepUntil measures a paced wait (the open and hold models'
// sleep until a request is due) of 20 µs in ppoll: it must allocate
// nothing.
func BenchmarkSleepUntil(b *testing.B) {
	r := benchRun(b, benchPlan("127.0.0.1:9"))
	c := newConn(r, 0, engine.NewRecorderGroup(0, 0, nil))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !c.sleepUntil(r.clock.Now() + 20_000) {
			b.Fatal("woken by a stop that never came")
		}
	}
}
