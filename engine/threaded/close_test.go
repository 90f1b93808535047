package threaded

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestPipelinedRequestsCutByConnectionClose: the requests pipelined behind
// a "Connection: close" response were not processed by the server (RFC
// 9112, 9.6), so they are written again on the next connection, not
// failed, in both models. The server closes with them unread, so its
// kernel may send a reset that overtakes the last response: then the
// requests in flight fail as resets (as in the reactor's test).
func TestPipelinedRequestsCutByConnectionClose(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		srv := enginetest.StartTarget(t, target.Config{CloseAfter: 5})
		p := enginetest.Plan(srv.Addr())
		p.Connections, p.Pipeline, p.MaxRequests = 10, 4, 2000
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		served := srv.Served()
		resets := res.Errors[stats.ErrReset]
		t.Logf("responses %d, resent %d, resets %d, connects %d, served %d", res.Responses, res.Resent, resets, res.Connects, served)
		if res.Requests != 2000 || res.Responses+resets != 2000 || res.ErrorTotal() != resets || res.Resent == 0 {
			t.Errorf("requests %d, responses %d, errors %v, resent %d; want responses + resets = 2000, some resent", res.Requests, res.Responses, res.Errors, res.Resent)
		}
		if served < res.Responses || served > res.Responses+resets {
			t.Errorf("target served %d, client counted %d, resets %d", served, res.Responses, resets)
		}
	})
	t.Run("open", func(t *testing.T) {
		// 750 req/s per connection against 1 ms a response, served one
		// after another: requests queue behind one another on a
		// connection, so some are in flight behind each closing response.
		srv := enginetest.StartTarget(t, target.Config{CloseAfter: 5, Delay: time.Millisecond})
		p := openPlan(t, srv.Addr(), 3000, time.Second, 4)
		p.Pipeline = 8
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		resets := res.Errors[stats.ErrReset]
		t.Logf("requests %d, responses %d, resent %d, resets %d, in flight %d, dropped %d", res.Requests, res.Responses, res.Resent, resets, res.InFlightAtEnd, res.Dropped)
		if res.ErrorTotal() != resets || res.Resent == 0 || res.Requests != res.Responses+res.InFlightAtEnd+resets {
			t.Errorf("requests %d, responses %d, in flight %d, errors %v", res.Requests, res.Responses, res.InFlightAtEnd, res.Errors)
		}
		if got := res.Requests + res.Dropped; got < 2990 || got > 3003 {
			t.Errorf("sent %d + dropped %d, want the 3000 due", res.Requests, res.Dropped)
		}
	})
}
