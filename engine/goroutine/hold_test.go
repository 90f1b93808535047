package goroutine

import (
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

func TestHoldConnections(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	const conns = 2000
	p := holdPlan(t, srv.Addr(), conns, 3*time.Second)
	start := time.Now()
	done := runAsync(t, p)
	// Every connection is established and stays open at the target. Under
	// -race on a busy machine the target may take a second or two to
	// accept them all.
	var seen int64
	for time.Since(start) < 2700*time.Millisecond {
		seen = max(seen, srv.OpenConns())
		if seen == conns {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	still := srv.OpenConns()
	res := <-done
	st := srv.Stats()
	t.Logf("target saw %d open (then %d), accepted %d; connects %d, peak %d, at end %d, established in %s, connect p50 %d p99 %d µs",
		seen, still, st.Accepted, res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.EstablishedIn,
		res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99))
	if seen != conns || still != conns || st.Accepted != conns {
		t.Fatalf("target had %d then %d open and accepted %d; want %d held", seen, still, st.Accepted, conns)
	}
	if res.Connects != conns || res.PeakOpenConns != conns || res.OpenConnsAtEnd != conns || res.ErrorTotal() != 0 {
		t.Fatalf("connects %d peak %d at end %d errors %v", res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.Errors)
	}
	if res.EstablishedIn <= 0 || res.EstablishedIn > 2700*time.Millisecond || res.Requests != 0 {
		t.Fatalf("established in %s, requests %d", res.EstablishedIn, res.Requests)
	}
	if last := res.Intervals[len(res.Intervals)-1]; last.OpenConns != conns {
		t.Fatalf("last interval has %d open", last.OpenConns)
	}
}

func TestHoldEvery(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	const conns = 100
	p := holdPlan(t, srv.Addr(), conns, 1100*time.Millisecond)
	p.HoldEvery = 200 * time.Millisecond
	res := execute(t, p)
	// Each connection sends at 0.2, 0.4, 0.6, 0.8 and 1.0 s after it connected.
	served := srv.Served()
	t.Logf("served %d, responses %d, connects %d, latency p50 %d p99 %d µs, send lag p99 %d µs",
		served, res.Responses, res.Connects, res.Latency.ValueAtQuantile(50), res.Latency.ValueAtQuantile(99),
		res.SendLag.ValueAtQuantile(99))
	if served < 475 || served > 505 {
		t.Fatalf("target served %d, want about %d connections x 5", served, conns)
	}
	if res.Responses > served || res.Responses+res.InFlightAtEnd < served || res.Status[200] != res.Responses {
		t.Fatalf("responses %d (+%d in flight), served %d", res.Responses, res.InFlightAtEnd, served)
	}
	// The requests go on the held connections: no reconnect.
	if res.Connects != conns || srv.Stats().Accepted != conns || res.ErrorTotal() != 0 {
		t.Fatalf("connects %d accepted %d errors %v", res.Connects, srv.Stats().Accepted, res.Errors)
	}
	if res.BytesOut != res.Requests*uint64(len(p.Requests[0].Raw)) || res.BytesIn == 0 {
		t.Fatalf("bytes out %d for %d requests, in %d", res.BytesOut, res.Requests, res.BytesIn)
	}
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
	dropped := res.Errors[stats.ErrRead] + res.Errors[stats.ErrReset]
	t.Logf("connects %d, dropped %d, peak %d, errors %v", res.Connects, dropped, res.PeakOpenConns, res.Errors)
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
	// Backoffs of 5, 10, 20, ... 200 ms: about 7 connects per slot in
	// 400 ms, not thousands.
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
