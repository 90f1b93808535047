package conformance

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// twoAddrPlan returns a plan of conns connections over two addresses, a
// and b, on two event loops: connection j goes to address j mod 2 in every
// mode, and, in async mode, to loop j mod 2, so that one loop has all of
// a's connections and the other all of b's.
func twoAddrPlan(a, b string, conns int, n int64) *engine.Plan {
	p := enginetest.Plan(a)
	p.Addrs = append(p.Addrs, netip.MustParseAddrPort(b))
	p.Connections, p.Loops, p.MaxRequests = conns, 2, n
	return p
}

// TestCountAnsweredWhenOneAddressRefuses: -n N against two addresses, one
// of which refuses every connect, is answered in full by the other, in
// every mode, and the run ends once the N are answered, well before its
// deadline. The request count is the run's, not split between the
// connections or event loops up front: in async mode the loop whose
// connections all go to the refusing address gives up after a connect
// timeout, and the loop of the other address sends its share too (it used
// to send its own half alone: 2,500 of 5,000). In goroutine mode a worker
// whose connect failed gives its request back to the budget (it used to
// keep it while it retried: 4,998 of 5,000 sent, and pipelined 4,992, the
// run ending only at the context's deadline, 20 s).
func TestCountAnsweredWhenOneAddressRefuses(t *testing.T) {
	const n = 5000
	for _, m := range modes {
		for _, depth := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/pipeline%d", m.name, depth), func(t *testing.T) {
				srv := enginetest.StartTarget(t, target.Config{})
				p := twoAddrPlan(srv.Addr(), closedAddr(t), 4, n)
				p.Pipeline, p.ConnectTimeout = depth, 300*time.Millisecond
				const deadline = 20 * time.Second
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				start := time.Now()
				res, err := engine.Execute(ctx, m.new(), p)
				took := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				served := closeTarget(t, srv)
				t.Logf("requests %d, responses %d, served %d, errors %v, took %s", res.Requests, res.Responses, served, res.Errors, took)
				if res.Errors[stats.ErrConnectRefused] == 0 {
					t.Fatal("no connect refused: the test did not test")
				}
				// The live address answers the N in well under a second;
				// half the deadline is slack for a loaded machine.
				if res.Interrupted || took > deadline/2 {
					t.Errorf("took %s (interrupted %v); want the run to end once the %d are answered, well before its deadline (%s)",
						took, res.Interrupted, n, deadline)
				}
				if res.Requests != n || res.Responses != n || served != n || res.InFlightAtEnd != 0 {
					t.Errorf("requests %d, responses %d, served %d, in flight %d; want %d each and none in flight",
						res.Requests, res.Responses, served, res.InFlightAtEnd, n)
				}
				if res.ErrorTotal() != res.Errors[stats.ErrConnectRefused] {
					t.Errorf("errors %v; want refused connects alone", res.Errors)
				}
			})
		}
	}
}

// TestCountGoesToTheFasterConnections: -n N over a fast address and a
// slow one (50 ms a response) is sent mostly on the fast one's
// connections, which keep working until the count is spent, in every
// mode: the count is not split up front between the connections or event
// loops, which would leave the fast ones idle while the slow ones send
// their half at 20 a second each (5 s here).
func TestCountGoesToTheFasterConnections(t *testing.T) {
	const (
		n     = 400
		delay = 50 * time.Millisecond
	)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			fast := enginetest.StartTarget(t, target.Config{})
			slow := enginetest.StartTarget(t, target.Config{Delay: delay})
			p := twoAddrPlan(fast.Addr(), slow.Addr(), 2, n)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := engine.Execute(ctx, m.new(), p)
			if err != nil {
				t.Fatal(err)
			}
			onFast, onSlow := closeTarget(t, fast), closeTarget(t, slow)
			t.Logf("fast served %d, slow %d, in %s", onFast, onSlow, res.Elapsed)
			if res.Requests != n || res.Responses != n || onFast+onSlow != n {
				t.Fatalf("requests %d, responses %d, served %d + %d; want %d each", res.Requests, res.Responses, onFast, onSlow, n)
			}
			// The slow connection answers at most one request per 50 ms:
			// a quarter of the count would take it 5 s, the fast one's
			// 300 requests take a few ms even on a loaded machine.
			if onSlow > n/4 {
				t.Errorf("the slow address served %d of %d: the fast connection stopped before the count was spent", onSlow, n)
			}
		})
	}
}

// TestCountSurvivesAnAddressDying: -n N over two addresses, one of which
// stops (closing its connections, refusing the next) once it has served
// a few requests, is sent in full, without waiting for a connect timeout:
// what the dying address's connections had taken and not sent goes to the
// other's at once. In async mode its event loop puts back the part of the
// count it claimed as soon as its connects fail with no connection open
// (it used to keep its half of the count: 5,052 of 10,000 sent; putting
// back only as the loop gives up waits for the connect timeout: 4 s). In
// goroutine mode a worker gives back the request whose connect failed (it
// used to keep it while it retried: 9,998 of 10,000 sent, in 4.8 s).
func TestCountSurvivesAnAddressDying(t *testing.T) {
	const n, before = 10_000, 500
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			live := enginetest.StartTarget(t, target.Config{})
			dying := enginetest.StartTarget(t, target.Config{})
			p := twoAddrPlan(live.Addr(), dying.Addr(), 4, n)
			p.ConnectTimeout = 4 * time.Second
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				for deadline := time.Now().Add(10 * time.Second); dying.Served() < before && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				dying.Close()
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := engine.Execute(ctx, m.new(), p)
			<-stopped
			if err != nil {
				t.Fatal(err)
			}
			onLive, onDying := closeTarget(t, live), dying.Served()
			t.Logf("requests %d, responses %d, errors %v; served %d + %d, in %s", res.Requests, res.Responses, res.Errors, onLive, onDying, res.Elapsed)
			if onDying < before || onDying > n/4 {
				t.Fatalf("the dying address served %d; want %d or more, and little of %d: the test did not test", onDying, before, n)
			}
			if res.Requests != n || res.Responses+res.RequestErrors() != n || res.InFlightAtEnd != 0 {
				t.Errorf("requests %d, responses %d, request errors %d, in flight %d; want %d sent, each answered or failed",
					res.Requests, res.Responses, res.RequestErrors(), res.InFlightAtEnd, n)
			}
			if res.Elapsed >= p.ConnectTimeout {
				t.Errorf("took %s: the run waited for the dying address's connect timeout (%s)", res.Elapsed, p.ConnectTimeout)
			}
		})
	}
}
