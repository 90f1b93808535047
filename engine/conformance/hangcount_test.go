package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestCountSendsAllToAHangingTarget: -n N against a target that reads
// every request and never answers sends all N, each failing by its
// timeout, in every mode. The reactor used to give up once nothing had
// been answered for a connect and a request timeout, after 12 of 20,
// with no word of why (QA).
func TestCountSendsAllToAHangingTarget(t *testing.T) {
	const n, timeout = 12, 250 * time.Millisecond
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := enginetest.StartTarget(t, target.Config{Faults: []target.Fault{{Kind: target.FaultHang, Percent: 100}}})
			p := enginetest.Plan(srv.Addr())
			p.Connections, p.MaxRequests, p.Timeout, p.ConnectTimeout = 2, n, timeout, 200*time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := engine.Execute(ctx, m.new(), p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("took %s, requests %d, errors %v", res.Elapsed, res.Requests, res.Errors)
			if res.Interrupted {
				t.Fatalf("the run did not end by itself in %s", res.Elapsed)
			}
			if res.Requests != n || res.Errors[stats.ErrTimeout] != n || res.Responses != 0 {
				t.Errorf("requests %d, timeouts %d, responses %d; want all %d sent and timed out",
					res.Requests, res.Errors[stats.ErrTimeout], res.Responses, n)
			}
		})
	}
}
