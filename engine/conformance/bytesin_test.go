package conformance

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/target"
)

// TestBytesInAreTheResponses: bytes_in is what the measured responses
// brought, in every mode and model, with or without a warm-up, bounded
// by a count or a duration: against a target whose every response has
// the same size, bytes in == responses x size. Before, async mode counted
// the bytes of the warm-up's last responses (read after it ended) as
// measured (105 x 75 bytes for 100 responses), and goroutine mode the
// bytes of responses that came after the end, which are not counted as
// answered (responses + 4 or 5, x 75).
func TestBytesInAreTheResponses(t *testing.T) {
	cells := []struct {
		name string
		plan func(p *engine.Plan)
	}{
		{"n_warmup", func(p *engine.Plan) { p.MaxRequests, p.Warmup = 100, 300*time.Millisecond }},
		{"n_warmup_pipeline4", func(p *engine.Plan) { p.MaxRequests, p.Warmup, p.Pipeline = 100, 300*time.Millisecond, 4 }},
		{"d", func(p *engine.Plan) { p.Duration = 500 * time.Millisecond }},
		{"d_warmup_pipeline4", func(p *engine.Plan) { p.Duration, p.Warmup, p.Pipeline = 500*time.Millisecond, 300*time.Millisecond, 4 }},
		{"open_n_warmup", func(p *engine.Plan) {
			p.Model, p.RatePerSec, p.Connections, p.MaxRequests, p.Warmup = engine.ModelOpen, 500, 50, 100, 300*time.Millisecond
		}},
		{"open_d", func(p *engine.Plan) {
			p.Model, p.RatePerSec, p.Connections, p.Duration = engine.ModelOpen, 2000, 50, 500*time.Millisecond
		}},
	}
	for _, m := range modes {
		for _, bc := range cells {
			t.Run(fmt.Sprintf("%s/%s", m.name, bc.name), func(t *testing.T) {
				srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
				p := enginetest.Plan(srv.Addr())
				p.Connections, p.Loops = 5, 2
				bc.plan(p)
				size := responseSize(t, srv.Addr(), p.Requests[0].Raw)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				res, err := engine.Execute(ctx, m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				closeTarget(t, srv)
				t.Logf("responses %d of %d bytes, in flight at the end %d; bytes in %d (warm-up: %d responses, %d bytes)",
					res.Responses, size, res.InFlightAtEnd, res.BytesIn, res.WarmupCounters.Responses, res.WarmupCounters.BytesIn)
				if res.ErrorTotal() != 0 || res.Responses == 0 {
					t.Fatalf("%d responses, errors %v; want responses and no error", res.Responses, res.Errors)
				}
				if want := res.Responses * size; res.BytesIn != want {
					t.Errorf("bytes in %d for %d responses of %d bytes; want %d", res.BytesIn, res.Responses, size, want)
				}
				if w := &res.WarmupCounters; p.Warmup > 0 && w.BytesIn != w.Responses*size {
					t.Errorf("warm-up: bytes in %d for %d responses of %d bytes; want %d", w.BytesIn, w.Responses, size, w.Responses*size)
				}
				var sum uint64
				for _, iv := range res.Intervals {
					sum += iv.BytesIn
				}
				if sum != res.BytesIn {
					t.Errorf("the intervals count %d bytes in, the totals %d", sum, res.BytesIn)
				}
			})
		}
	}
}

// responseSize returns the size in bytes of the response to raw from the
// server at addr, read on a connection of its own.
func responseSize(t *testing.T, addr string, raw []byte) uint64 {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	var p wire.Parser
	buf := make([]byte, 64<<10)
	kept, total := 0, 0
	for {
		n, err := c.Read(buf[kept:])
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		data := buf[:kept+n]
		used, done, perr := p.Parse(data, false)
		if perr != nil {
			t.Fatal(perr)
		}
		total += used
		if done {
			return uint64(total)
		}
		kept = copy(buf, data[used:])
	}
}
