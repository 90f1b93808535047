package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// The ends of https runs in every mode: stopped in handshakes or in
// reads, and held connections closed at the end.

// runUntil runs p in mode m and cancels it once cond holds (polled every
// 5 ms), or after 10 s. It fails the test if the run ended before the
// cancel, and returns the result and how long after the cancel the run
// returned.
func runUntil(t *testing.T, m mode, p *engine.Plan, cond func() bool) (*stats.Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() { // owned by runUntil: ends when it cancels or the run ends
		defer cancel()
		for limit := time.Now().Add(10 * time.Second); !cond() && time.Now().Before(limit); {
			select {
			case <-ctx.Done():
				cancelled <- time.Time{}
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		cancelled <- time.Now()
	}()
	res := execute(t, ctx, m, p)
	returned := time.Now()
	cancel()
	at := <-cancelled
	if at.IsZero() {
		t.Fatalf("the run ended before the cancel: connects %d, errors %v", res.Connects, res.Errors)
	}
	return res, returned.Sub(at)
}

// checkPrompt fails the test unless the run was interrupted and returned
// within half a second of the cancel.
func checkPrompt(t *testing.T, res *stats.Result, late time.Duration) {
	t.Helper()
	t.Logf("returned %s after the cancel: connects %d, in flight %d, errors %v", late, res.Connects, res.InFlightAtEnd, res.Errors)
	if !res.Interrupted || late > 500*time.Millisecond {
		t.Errorf("interrupted %v, returned %s after the cancel; want at once", res.Interrupted, late)
	}
}

// TestHTTPSStopDuringHandshakes: cancelling a run while every handshake
// hangs (a server that never answers the ClientHello, the connect
// timeout far away) returns at once, interrupted, with nothing connected
// or failed counted, and no fd, goroutine or (sync) thread left behind.
func TestHTTPSStopDuringHandshakes(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			primeTLS(t)
			before := snapshot()
			ln := silentListener(t)
			p := httpsPlan(ln.Addr().String(), nil)
			p.InsecureSkipVerify = true
			p.Connections, p.Duration, p.ConnectTimeout = 64, 10*time.Second, 10*time.Second
			at := time.Now().Add(300 * time.Millisecond)
			res, late := runUntil(t, m, p, func() bool { return time.Now().After(at) })
			checkPrompt(t, res, late)
			if res.Connects != 0 || res.ErrorTotal() != 0 {
				t.Errorf("connects %d, errors %v; want every connection stopped in its handshake, nothing counted", res.Connects, res.Errors)
			}
			ln.Close()
			checkNoLeak(t, before, m.name == "sync")
		})
	}
}

// TestHTTPSStopDuringReads: cancelling a run while every connection
// waits for a response (the target delays each by 3 s, the request
// timeout far away) returns at once with the requests in flight, the
// connections open, nothing failed, and nothing left behind.
func TestHTTPSStopDuringReads(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			primeTLS(t)
			before := snapshot()
			srv, err := target.Start("127.0.0.1:0", target.Config{TLS: true, Delay: 3 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			p := httpsPlan(srv.Addr(), srv.Certificate())
			p.Connections, p.Duration, p.Timeout = 16, 10*time.Second, 10*time.Second
			p.Live = &stats.Live{}
			// All open, then time for the requests written after the
			// handshakes to reach the target.
			var allOpen time.Time
			res, late := runUntil(t, m, p, func() bool {
				if allOpen.IsZero() && p.Live.Read().OpenConns == 16 {
					allOpen = time.Now()
				}
				return !allOpen.IsZero() && time.Since(allOpen) > 200*time.Millisecond
			})
			checkPrompt(t, res, late)
			srv.Close()
			if res.Connects != 16 || res.Requests != 16 || res.InFlightAtEnd != 16 || res.OpenConnsAtEnd != 16 || res.ErrorTotal() != 0 {
				t.Errorf("connects %d, requests %d, in flight %d, open %d, errors %v; want 16, 16, 16, 16 and none",
					res.Connects, res.Requests, res.InFlightAtEnd, res.OpenConnsAtEnd, res.Errors)
			}
			checkNoLeak(t, before, m.name == "sync")
		})
	}
}

// TestHTTPSHold: 20 connections held over TLS, idle or each sending a
// request every 100 ms from its handshake on, stay open and error-free
// to the end, and are closed then. The run is cancelled once all are
// open and have been held 500 ms: handshakes are slow under -race on a
// loaded machine.
func TestHTTPSHold(t *testing.T) {
	for _, m := range modes {
		for _, every := range []time.Duration{0, 100 * time.Millisecond} {
			t.Run(m.name+"/every"+every.String(), func(t *testing.T) {
				primeTLS(t)
				before := snapshot()
				srv, err := target.Start("127.0.0.1:0", target.Config{TLS: true})
				if err != nil {
					t.Fatal(err)
				}
				p := httpsPlan(srv.Addr(), srv.Certificate())
				p.Model, p.Connections, p.HoldEvery, p.Duration = engine.ModelHold, 20, every, 10*time.Second
				p.Live = &stats.Live{}
				var allOpen time.Time
				res, _ := runUntil(t, m, p, func() bool {
					if allOpen.IsZero() && p.Live.Read().OpenConns == 20 {
						allOpen = time.Now()
					}
					return !allOpen.IsZero() && time.Since(allOpen) >= 500*time.Millisecond
				})
				settle(srv)
				left := srv.OpenConns()
				served := closeTarget(t, srv)
				t.Logf("connects %d, open at end %d, peak %d, responses %d, served %d, errors %v, established in %s",
					res.Connects, res.OpenConnsAtEnd, res.PeakOpenConns, res.Responses, served, res.Errors, res.EstablishedIn)
				if res.Connects != 20 || res.OpenConnsAtEnd != 20 || res.PeakOpenConns != 20 || res.ErrorTotal() != 0 || res.EstablishedIn <= 0 {
					t.Errorf("connects %d, open at end %d, peak %d, errors %v, established in %s; want 20 open to the end, no error",
						res.Connects, res.OpenConnsAtEnd, res.PeakOpenConns, res.Errors, res.EstablishedIn)
				}
				if left != 0 {
					t.Errorf("the target still has %d connections open after the run", left)
				}
				switch {
				case every == 0 && (res.Requests != 0 || served != 0):
					t.Errorf("requests %d, served %d; want none from idle connections", res.Requests, served)
				case every > 0 && (res.Responses < 40 || res.Responses > served):
					// Each connection was open 500 ms: at least 2 answered each.
					t.Errorf("responses %d, served %d; want at least 2 per connection, each served", res.Responses, served)
				case every > 0 && res.BytesOut <= res.Requests*uint64(len(p.Requests[0].Raw)):
					t.Errorf("bytes out %d for %d requests: not TLS records", res.BytesOut, res.Requests)
				}
				checkNoLeak(t, before, m.name == "sync")
			})
		}
	}
}
