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

// TestCountOpensAtMostOneConnectionPerRequest: a counted closed-model run
// opens at most min(connections, requests) connections, in every mode,
// pipelined or not, as a user of hey or oha expects (-n 5 -c 50 opened 28
// connections in async mode, whose loops connect all they own at the
// start, and up to 7 in sync mode, whose threads race to connect before
// the count is taken), and the count is answered in full. The target
// counts the connections it accepted. With fewer connections than
// requests, -c is kept.
func TestCountOpensAtMostOneConnectionPerRequest(t *testing.T) {
	cases := []struct {
		conns int
		n     int64
	}{
		{50, 5},
		{3, 40},
	}
	for _, m := range modes {
		for _, depth := range []int{1, 4, 0} { // 0: the open model (-R), depth 1
			for _, tc := range cases {
				name := fmt.Sprintf("%s/pipeline%d/c%d-n%d", m.name, depth, tc.conns, tc.n)
				if depth == 0 {
					name = fmt.Sprintf("%s/open/c%d-n%d", m.name, tc.conns, tc.n)
				}
				t.Run(name, func(t *testing.T) {
					// A delay keeps the first requests in flight while the
					// other connections start: opening them all would
					// have the time to show.
					srv := enginetest.StartTarget(t, target.Config{Delay: 5 * time.Millisecond})
					p := enginetest.Plan(srv.Addr())
					p.Connections, p.MaxRequests, p.Pipeline, p.Loops = tc.conns, tc.n, max(depth, 1), 2
					if depth == 0 {
						p.Model, p.RatePerSec = engine.ModelOpen, 400
					}
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					res, err := engine.Execute(ctx, m.new(), p)
					if err != nil {
						t.Fatal(err)
					}
					accepted := srv.Stats().Accepted
					served := closeTarget(t, srv)
					most := min(int64(tc.conns), tc.n)
					t.Logf("accepted %d, connects %d, peak open %d; requests %d, responses %d, served %d",
						accepted, res.Connects, res.PeakOpenConns, res.Requests, res.Responses, served)
					if int64(accepted) > most || int64(res.Connects) > most || int64(res.PeakOpenConns) > most {
						t.Errorf("the target accepted %d connections, the client counted %d connects and %d open at once; want at most %d (min of -c %d and -n %d)",
							accepted, res.Connects, res.PeakOpenConns, most, tc.conns, tc.n)
					}
					if accepted == 0 {
						t.Error("the target accepted no connection")
					}
					if res.Requests != uint64(tc.n) || res.Responses != uint64(tc.n) || served != uint64(tc.n) || res.InFlightAtEnd != 0 {
						t.Errorf("requests %d, responses %d, served %d, in flight %d; want %d each and none in flight",
							res.Requests, res.Responses, served, res.InFlightAtEnd, tc.n)
					}
					asked := 0
					if int64(tc.conns) > tc.n {
						asked = tc.conns
					}
					if int64(res.Connections) != most || res.ConnectionsAsked != asked {
						t.Errorf("result: %d connections, %d asked; want %d and %d", res.Connections, res.ConnectionsAsked, most, asked)
					}
				})
			}
		}
	}
}
