package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestCountSurvivesRefusedConnects: -n N sends exactly N requests against
// a target that stops listening every so often and closes each connection
// after a few responses, so that many reconnects are refused: a failed
// connect sends no request and must not use up the budget, in every mode,
// pipelined or not.
func TestCountSurvivesRefusedConnects(t *testing.T) {
	const n = 3000
	for _, m := range modes {
		for _, depth := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/pipeline%d", m.name, depth), func(t *testing.T) {
				srv := enginetest.StartTarget(t, target.Config{
					Refuse: 100 * time.Millisecond, RefuseEvery: 200 * time.Millisecond,
					CloseAfter: 5, Delay: time.Millisecond,
				})
				p := enginetest.Plan(srv.Addr())
				p.Connections, p.MaxRequests, p.Pipeline = 10, n, depth
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				res, err := engine.Execute(ctx, m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				refused := res.Errors[stats.ErrConnectRefused]
				t.Logf("requests %d, responses %d, errors %v, connects %d, resent %d", res.Requests, res.Responses, res.Errors, res.Connects, res.Resent)
				if refused == 0 {
					t.Fatalf("no connect refused in %s: the test did not test", res.Elapsed)
				}
				if res.Requests != n || res.Responses+res.RequestErrors() != n || res.InFlightAtEnd != 0 {
					t.Errorf("requests %d, responses %d, request errors %d, in flight %d; want %d sent, each answered or failed",
						res.Requests, res.Responses, res.RequestErrors(), res.InFlightAtEnd, n)
				}
			})
		}
	}
}

// TestCountGivesUpOnDeadTarget: a run bounded only by a request count
// against an address nothing listens on retries its connects for a whole
// connect timeout, as the reactor does, and then gives up, having sent
// nothing, in every mode: it neither ends at the first refusals nor runs
// for ever.
func TestCountGivesUpOnDeadTarget(t *testing.T) {
	const connectTimeout = 400 * time.Millisecond
	for _, m := range modes {
		for _, depth := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/pipeline%d", m.name, depth), func(t *testing.T) {
				t.Parallel()
				p := enginetest.Plan(closedAddr(t))
				p.Connections, p.MaxRequests, p.Pipeline, p.ConnectTimeout = 10, 100, depth, connectTimeout
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				start := time.Now()
				res, err := engine.Execute(ctx, m.new(), p)
				took := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				refused := res.Errors[stats.ErrConnectRefused]
				t.Logf("took %s, refused %d, requests %d", took, refused, res.Requests)
				if res.Interrupted || took > connectTimeout+cellSlack {
					t.Fatalf("took %s (interrupted %v); want the run to give up after about %s", took, res.Interrupted, connectTimeout)
				}
				if took < connectTimeout {
					t.Errorf("gave up after %s, before a connect timeout (%s) without a connection", took, connectTimeout)
				}
				// Each of the 10 connections retries after 5-10 ms, then
				// twice that each time (engine.Backoff): six tries each in
				// 400 ms.
				if res.Requests != 0 || res.Connects != 0 || refused < 3*uint64(p.Connections)/2 {
					t.Errorf("requests %d, connects %d, refused %d; want 0, 0 and retries", res.Requests, res.Connects, refused)
				}
			})
		}
	}
}
