package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/target"
)

// TestCloseEveryResponseOpensOneConnectionPerRequest: with Connection:
// close on every request, a counted run opens exactly one connection per
// request, in every mode: a connection that the server closed reconnects
// only when the budget has a request for it. Before, a connection (a
// thread in sync mode, a slot of a loop in async mode) reconnected when
// some request was left, and another took it first: -n 500 -c 5 opened
// 501 to 503 connections for 500 responses, the target's count too.
func TestCloseEveryResponseOpensOneConnectionPerRequest(t *testing.T) {
	const n = 500
	for _, m := range modes {
		for _, depth := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/pipeline%d", m.name, depth), func(t *testing.T) {
				srv := enginetest.StartTarget(t, target.Config{})
				p := enginetest.Plan(srv.Addr())
				p.Requests[0].Headers = []engine.Header{{Name: "Connection", Value: "close"}}
				p.Requests[0].Raw = wire.EncodeRequest("GET", "/", srv.Addr(), []wire.Header{{Name: "Connection", Value: "close"}}, nil)
				p.Connections, p.MaxRequests, p.Pipeline, p.Loops = 5, n, depth, 2
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				res, err := engine.Execute(ctx, m.new(), p)
				if err != nil {
					t.Fatal(err)
				}
				accepted := srv.Stats().Accepted
				served := closeTarget(t, srv)
				t.Logf("accepted %d, connects %d; requests %d, responses %d, served %d",
					accepted, res.Connects, res.Requests, res.Responses, served)
				exact(t, res, served, n)
				if accepted != n || res.Connects != n {
					t.Errorf("the target accepted %d connections and the client counted %d connects for %d requests closed after each response; want %d each",
						accepted, res.Connects, n, n)
				}
			})
		}
	}
}
