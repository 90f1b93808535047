package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// warmCells are the load shapes whose warm-up ends with requests in
// flight: closed, pipelined or not, and open.
var warmCells = []struct {
	name string
	plan func(p *engine.Plan)
}{
	{"closed", func(p *engine.Plan) { p.Connections = 5 }},
	{"closed_pipeline4", func(p *engine.Plan) { p.Connections, p.Pipeline = 5, 4 }},
	{"open", func(p *engine.Plan) { p.Model, p.RatePerSec, p.Connections = engine.ModelOpen, 500, 50 }},
}

// TestWarmupCountIsExact: with a warm-up, -n counts exactly n measured
// requests, in every mode and model. A request belongs to the part of the
// run it was due in (the closed model: when it was written; the open
// model: its intended send time): those still in flight when the warm-up
// ends are the warm-up's, and so are their responses. The target served
// the warm-up's responses plus n. Before, sync and goroutine modes
// counted the warm-up's last requests as measured: 105 for -n 100 -c 5,
// 120 with a pipeline of 4, and goroutine's open model 101.
func TestWarmupCountIsExact(t *testing.T) {
	const n = 100
	for _, m := range modes {
		for _, wc := range warmCells {
			t.Run(fmt.Sprintf("%s/%s", m.name, wc.name), func(t *testing.T) {
				srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
				p := enginetest.Plan(srv.Addr())
				p.MaxRequests, p.Warmup, p.Loops = n, 300*time.Millisecond, 2
				wc.plan(p)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				res, err := engine.Execute(ctx, m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				served := closeTarget(t, srv)
				w := &res.WarmupCounters
				t.Logf("measured: requests %d, responses %d; warm-up: requests %d, responses %d; served %d",
					res.Requests, res.Responses, w.Requests, w.Responses, served)
				exact(t, res, served-w.Responses, n)
				if w.Requests != w.Responses || w.ErrorTotal() != 0 || w.Responses == 0 {
					t.Errorf("warm-up: %d requests, %d responses, %d errors; want as many responses as requests (more than none) and no error",
						w.Requests, w.Responses, w.ErrorTotal())
				}
				if got := res.Latency.TotalCount(); got != n {
					t.Errorf("%d latencies recorded; want %d, one per measured response", got, n)
				}
				var sum uint64
				for _, iv := range res.Intervals {
					sum += iv.Requests
				}
				if sum != res.Requests {
					t.Errorf("the intervals count %d requests, the totals %d", sum, res.Requests)
				}
			})
		}
	}
}
