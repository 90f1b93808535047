package goroutine

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

func holdPlan(t *testing.T, addr string, conns int, d time.Duration) *engine.Plan {
	t.Helper()
	p := enginetest.Plan(addr)
	p.Model, p.Connections, p.Duration = engine.ModelHold, conns, d
	return p
}

// TestHoldConnections: 2000 held connections are all established, the
// target counts them all open at once, and they stay open. The run ends
// once the target has seen them held, not at a fixed time: under -race
// beside other tests the target took up to 3.4 s to accept them all, and
// a 3 s run ended first.
func TestHoldConnections(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	const conns = 2000
	p := holdPlan(t, srv.Addr(), conns, 30*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	done := make(chan *stats.Result, 1)
	go func() { // owned by the test: ends with the run
		res, err := engine.Execute(ctx, New(), p)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var seen int64
	for seen < conns && time.Since(start) < 25*time.Second {
		time.Sleep(20 * time.Millisecond)
		seen = max(seen, srv.OpenConns())
	}
	time.Sleep(200 * time.Millisecond) // held: still open a moment later
	still := srv.OpenConns()
	cancel()
	res := <-done
	took := time.Since(start)
	if res == nil {
		t.FailNow()
	}
	st := srv.Stats()
	t.Logf("target saw %d open (then %d), accepted %d; connects %d, peak %d, at end %d, established in %s (run took %s), connect p50 %d p99 %d µs",
		seen, still, st.Accepted, res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.EstablishedIn, took,
		res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99))
	if seen != conns || still != conns || st.Accepted != conns {
		t.Fatalf("target had %d then %d open and accepted %d; want %d held", seen, still, st.Accepted, conns)
	}
	if res.Connects != conns || res.PeakOpenConns != conns || res.OpenConnsAtEnd != conns || res.ErrorTotal() != 0 {
		t.Fatalf("connects %d peak %d at end %d errors %v", res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.Errors)
	}
	if res.EstablishedIn <= 0 || res.EstablishedIn > took || res.Requests != 0 {
		t.Fatalf("established in %s of a run that took %s, requests %d", res.EstablishedIn, took, res.Requests)
	}
	if last := res.Intervals[len(res.Intervals)-1]; last.OpenConns != conns {
		t.Fatalf("last interval has %d open", last.OpenConns)
	}
}

// TestHoldEvery: 100 held connections each send one request every 200 ms
// from their connect, on that connection, until the planned end; the
// target serves what the client counted.
func TestHoldEvery(t *testing.T) {
	const conns, every, length = 100, 200 * time.Millisecond, 1100 * time.Millisecond
	enginetest.Tries(t, 3, func(int) string {
		srv := enginetest.StartTarget(t, target.Config{})
		p := holdPlan(t, srv.Addr(), conns, length)
		p.HoldEvery = every
		res := execute(t, p)
		accepted := enginetest.AwaitAccepted(srv, res.Connects)
		served, ticks := srv.Served(), res.Requests+res.Dropped
		t.Logf("served %d, requests %d, responses %d (%d in flight), dropped %d, connects %d (accepted %d), all open in %s, latency p50 %d p99 %d µs, send lag p99 %d µs",
			served, res.Requests, res.Responses, res.InFlightAtEnd, res.Dropped, res.Connects, accepted, res.EstablishedIn,
			res.Latency.ValueAtQuantile(50), res.Latency.ValueAtQuantile(99), res.SendLag.ValueAtQuantile(99))
		// However late the machine runs the holders: each dials once, and
		// never again (not after the end either); the target accepted
		// every connect counted, and one more only for a dial the stop
		// overtook.
		if res.Connects > accepted || accepted > conns || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d accepted %d errors %v; want each of the %d connections dialled once", res.Connects, accepted, res.Errors, conns)
		}
		if res.Responses > served || served > res.Requests || res.Requests != res.Responses+res.InFlightAtEnd || res.Status[200] != res.Responses {
			t.Fatalf("requests %d, responses %d (+%d in flight), served %d", res.Requests, res.Responses, res.InFlightAtEnd, served)
		}
		// A connection opened at c has a tick at c + k x 200 ms for each
		// k >= 1 before the end at 1.1 s: 5 at most, each sent or, when it
		// came due while the previous request was in flight, dropped. More
		// would be ticks off the schedule, or after the end.
		if most := uint64(conns * ((length - 1) / every)); ticks > most {
			t.Fatalf("%d requests + %d dropped = %d ticks, more than %d", res.Requests, res.Dropped, ticks, most)
		}
		if res.BytesOut != res.Requests*uint64(len(p.Requests[0].Raw)) || res.BytesIn == 0 {
			t.Fatalf("bytes out %d for %d requests, in %d", res.BytesOut, res.Requests, res.BytesIn)
		}
		// What a loaded machine can miss. Every connection was open by
		// EstablishedIn, so each had (1.1 s - EstablishedIn) / 200 ms ticks
		// at least, and sent or dropped all of them but those due while
		// its last request was in flight, or after a wake-up the stop
		// overtook: one, when the machine keeps up.
		least := conns * (int64((length-1-res.EstablishedIn)/every) - 1)
		if res.EstablishedIn <= 0 || int64(ticks) < least || res.Requests < 2*conns {
			return fmt.Sprintf("all open in %s, %d ticks (want %d), %d requests (want 2 a connection)", res.EstablishedIn, ticks, least, res.Requests)
		}
		return ""
	})
}

// TestHoldConnectRate: 2000 connects at 1000 per second take 2 s, not
// less. Ahead of the schedule fails at once; behind it (dials a loaded
// machine delays) must be avoided in one try of three.
func TestHoldConnectRate(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	const conns = 2000
	enginetest.Tries(t, 3, func(int) string {
		accepted := srv.Stats().Accepted
		p := holdPlan(t, srv.Addr(), conns, 2500*time.Millisecond)
		p.ConnectRate = 1000
		res := execute(t, p)
		var open []int
		for _, iv := range res.Intervals {
			open = append(open, iv.OpenConns)
		}
		t.Logf("established in %s, open per interval %v, connects %d", res.EstablishedIn, open, res.Connects)
		// Connect k is due at k ms: the last at 1.999 s.
		if res.EstablishedIn < 1900*time.Millisecond || len(open) == 0 || open[0] > 1100 {
			t.Fatalf("established in %s, open per interval %v: ahead of the schedule", res.EstablishedIn, open)
		}
		if res.Connects != conns || res.PeakOpenConns != conns || srv.Stats().Accepted-accepted != conns {
			t.Fatalf("connects %d peak %d accepted %d", res.Connects, res.PeakOpenConns, srv.Stats().Accepted-accepted)
		}
		if len(open) < 3 || open[0] < 900 || open[1] < conns-50 || open[2] != conns || res.EstablishedIn > 2400*time.Millisecond {
			return fmt.Sprintf("open per interval %v, established in %s; want about 1000 then 2000, in about 2 s", open, res.EstablishedIn)
		}
		return ""
	})
}

func TestHoldSourceAddrs(t *testing.T) {
	pl := enginetest.ListenPeers(t, nil)
	p := holdPlan(t, pl.Addr(), 6, 300*time.Millisecond)
	p.SourceAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
	res := execute(t, p)
	a2, a3 := pl.From("127.0.0.2"), pl.From("127.0.0.3")
	t.Logf("peers .2: %d, .3: %d, all %d, connects %d, errors %v", a2, a3, pl.Total(), res.Connects, res.Errors)
	if a2 != 3 || a3 != 3 || pl.Total() != 6 || res.Connects != 6 {
		t.Fatalf("the server saw %d from .2, %d from .3, %d in all, and the client counted %d connects; want 3 from each source",
			a2, a3, pl.Total(), res.Connects)
	}
}

func TestSourceAddrNotLocal(t *testing.T) {
	pl := enginetest.ListenPeers(t, nil)
	p := holdPlan(t, pl.Addr(), 2, 200*time.Millisecond)
	// 192.0.2.1 (TEST-NET-1) is on no interface here: bind fails before
	// any packet leaves, so nothing is sent outside loopback.
	p.SourceAddrs = []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	res := execute(t, p)
	if res.Errors[stats.ErrAddrNotAvail] == 0 || res.Connects != 0 || pl.Total() != 0 {
		t.Fatalf("errors %v connects %d peers %d; want addr_not_available only", res.Errors, res.Connects, pl.Total())
	}
}

func TestHoldReconnectsDropped(t *testing.T) {
	pl := enginetest.ListenPeers(t, func(int) time.Duration { return 100 * time.Millisecond })
	p := holdPlan(t, pl.Addr(), 4, 450*time.Millisecond)
	res := execute(t, p)
	dropped := res.ServerClosed
	t.Logf("connects %d, dropped %d, peak %d, errors %v", res.Connects, dropped, res.PeakOpenConns, res.Errors)
	if res.ErrorTotal() != 0 {
		t.Errorf("errors %v: a connection the server closed failed no request", res.Errors)
	}
	// Dropped at about 0.1, 0.2, 0.3 and 0.4 s: each one counted and
	// replaced, but for those whose replacement was still backing off at
	// the end.
	if dropped < 8 || res.Connects < dropped || res.Connects > 4+dropped || res.PeakOpenConns != 4 {
		t.Fatalf("connects %d, dropped %d, peak %d; want every drop counted and replaced", res.Connects, dropped, res.PeakOpenConns)
	}
}

func TestHoldBacksOffFromClosingServer(t *testing.T) {
	pl := enginetest.ListenPeers(t, func(int) time.Duration { return time.Microsecond }) // closes every connection at once
	p := holdPlan(t, pl.Addr(), 2, 400*time.Millisecond)
	res := execute(t, p)
	t.Logf("connects %d, errors %v", res.Connects, res.Errors)
	// Backoffs of 5-10, 10-20, 20-40 ms ... (engine.Backoff): about 6
	// connects per slot in 400 ms, not thousands.
	if res.Connects < 4 || res.Connects > 20 {
		t.Fatalf("connects %d in 400 ms on 2 slots, want a handful", res.Connects)
	}
}

func TestHoldLongHeaders(t *testing.T) {
	for _, tc := range []struct {
		size     int
		tooLarge bool
	}{{8000, false}, {40000, true}} {
		srv := enginetest.StartTarget(t, target.Config{
			Faults:     []target.Fault{{Kind: target.FaultBigHeader, Percent: 100}},
			HeaderSize: tc.size,
		})
		p := holdPlan(t, srv.Addr(), 2, 300*time.Millisecond)
		p.HoldEvery = 50 * time.Millisecond
		res := execute(t, p)
		t.Logf("header %d B: responses %d, errors %v, connects %d", tc.size, res.Responses, res.Errors, res.Connects)
		if tc.tooLarge {
			if res.Errors[stats.ErrHeaderTooLarge] == 0 || res.Responses != 0 {
				t.Fatalf("header of %d B: errors %v responses %d; want header_too_large", tc.size, res.Errors, res.Responses)
			}
			continue
		}
		// A header line longer than the 4 KB read buffer still parses.
		if res.Responses < 8 || res.ErrorTotal() != 0 || res.Connects != 2 {
			t.Fatalf("header of %d B: responses %d errors %v connects %d", tc.size, res.Responses, res.Errors, res.Connects)
		}
	}
}

func TestHoldMaxRequests(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	p := holdPlan(t, srv.Addr(), 10, 0)
	p.HoldEvery, p.MaxRequests = 50*time.Millisecond, 30
	start := time.Now()
	res := execute(t, p)
	took := time.Since(start)
	t.Logf("responses %d, served %d, took %s", res.Responses, srv.Served(), took)
	// 10 connections send at 50, 100 and 150 ms, then the run ends.
	if res.Responses != 30 || srv.Served() != 30 || took > 2*time.Second {
		t.Fatalf("responses %d served %d took %s; want 30, then the end", res.Responses, srv.Served(), took)
	}
}

func TestHoldSlowResponsesDropTicks(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 120 * time.Millisecond})
	p := holdPlan(t, srv.Addr(), 2, 700*time.Millisecond)
	p.HoldEvery = 50 * time.Millisecond
	res := execute(t, p)
	t.Logf("requests %d, responses %d, dropped %d, in flight %d", res.Requests, res.Responses, res.Dropped, res.InFlightAtEnd)
	// A request takes 120 ms, so of the ticks every 50 ms each connection
	// sends about one in three; the others came due while it waited.
	if res.Responses < 6 || res.Dropped < res.Responses || res.ErrorTotal() != 0 {
		t.Fatalf("responses %d dropped %d errors %v", res.Responses, res.Dropped, res.Errors)
	}
	if ticks := res.Requests + res.Dropped; ticks < 20 || ticks > 28 {
		t.Fatalf("sent %d + dropped %d ticks, want about 2 x 13", res.Requests, res.Dropped)
	}
}
