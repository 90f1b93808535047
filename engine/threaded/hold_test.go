package threaded

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
	p.Model = engine.ModelHold
	p.Connections = conns
	p.Duration = d
	return p
}

// waitFor polls cond every 10 ms until it holds or limit passes.
func waitFor(limit time.Duration, cond func() bool) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestHold2000: 2000 held connections are all established, and the
// target counts them all open at once. The run ends as soon as it does.
func TestHold2000(t *testing.T) {
	const conns = 2000
	srv := enginetest.StartTarget(t, target.Config{})
	p := holdPlan(t, srv.Addr(), conns, 8*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var peakTarget int64
	done := make(chan struct{})
	go func() { // owned by the test: ends when the target saw them all, or the run ended
		defer close(done)
		for peakTarget < conns && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
			peakTarget = max(peakTarget, srv.OpenConns())
		}
		cancel()
	}()
	start := time.Now()
	res, err := engine.Execute(ctx, New(), p)
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("target saw %d open after %s; client connects %d, peak %d, at end %d, established in %s, connect p50 %d µs p99 %d µs, threads %d",
		peakTarget, time.Since(start), res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.EstablishedIn,
		res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99), res.Generator.PeakThreads)
	if peakTarget != conns || res.Connects != conns || res.PeakOpenConns != conns || res.OpenConnsAtEnd != conns {
		t.Fatalf("target saw %d open, client connected %d, peak %d, at end %d; want %d", peakTarget, res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, conns)
	}
	if res.EstablishedIn <= 0 || res.ErrorTotal() != 0 || res.Generator.PeakThreads < conns {
		t.Fatalf("established in %s, errors %d, threads %d", res.EstablishedIn, res.ErrorTotal(), res.Generator.PeakThreads)
	}
}

// TestHoldEvery: 500 held connections, opened at 500 a second, each send
// one request every second from their connect, and the target serves them
// all. (TestHold2000 holds 2000; here the threads' own load would
// make the wake-ups late under -race.)
func TestHoldEvery(t *testing.T) {
	const conns = 500
	srv := enginetest.StartTarget(t, target.Config{})
	p := holdPlan(t, srv.Addr(), conns, 3500*time.Millisecond)
	p.ConnectRate = conns
	p.HoldEvery = time.Second
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	served := srv.Served()
	t.Logf("served %d, client responses %d (%d in flight), connects %d, established in %s, latency p50 %d µs p99 %d µs, send lag p99 %d µs",
		served, res.Responses, res.InFlightAtEnd, res.Connects, res.EstablishedIn,
		res.Latency.ValueAtQuantile(50), res.Latency.ValueAtQuantile(99), res.SendLag.ValueAtQuantile(99))
	// Connection k connects at k/500 s and sends at 1, 2 and 3 s after
	// that while before 3.5 s: 3 requests for the first half, 2 for the
	// others, 1250 in all. A connect or a wake-up that a loaded machine
	// delays by more than half a second costs one: with 2000 threads under
	// -race beside the other packages' tests, CI saw wake-ups 0.6-1.2 s
	// late (3742 and 2400 served of 5000). More than one request per
	// connection still shows the repeat; more than 1250 would be requests
	// off the schedule.
	if served < 3*conns/2 || served > 5*conns/2 || res.ErrorTotal() != 0 {
		t.Fatalf("target served %d, want %d to %d; errors %d", served, 3*conns/2, 5*conns/2, res.ErrorTotal())
	}
	if res.Responses > served || res.Responses+res.InFlightAtEnd < served {
		t.Fatalf("client counted %d responses and %d in flight, target served %d", res.Responses, res.InFlightAtEnd, served)
	}
}

// TestHoldConnectRate: 2000 connects at 1000 per second take 2 s, not
// less. Ahead of the schedule fails at once. Behind it is what a loaded
// machine does to 2000 sleeping threads (a fresh-clone CI run under -race
// saw [547 2000 2000]: the first second's wake-ups half a second late),
// so the schedule must be kept in one try of three.
func TestHoldConnectRate(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		p := holdPlan(t, srv.Addr(), 2000, 2500*time.Millisecond)
		p.ConnectRate = 1000
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		var perSec []int
		for _, iv := range res.Intervals {
			perSec = append(perSec, iv.OpenConns)
		}
		t.Logf("established in %s, open per second %v, connects %d", res.EstablishedIn, perSec, res.Connects)
		// Never ahead: 1000 are due before 1 s, the 1001st at 1 s, the
		// last at 1.999 s.
		if res.EstablishedIn < 1900*time.Millisecond || len(perSec) == 0 || perSec[0] > 1001 || res.Connects != 2000 {
			t.Fatalf("established in %s, open at each second %v, connects %d: ahead of 1000 a second, or not all 2000",
				res.EstablishedIn, perSec, res.Connects)
		}
		// An interval closes at the first event after its end: the last
		// connects may land just after it.
		if len(perSec) != 3 || perSec[0] < 700 || perSec[1] < 1990 || res.EstablishedIn > 3*time.Second {
			return fmt.Sprintf("open at each second %v, established in %s; want [~1000 2000 2000] in about 2 s", perSec, res.EstablishedIn)
		}
		return ""
	})
}

// TestHoldSourceAddrs: connections bound round robin to 127.0.0.2 and
// 127.0.0.3 arrive from both.
func TestHoldSourceAddrs(t *testing.T) {
	a := enginetest.ListenPeers(t, nil)
	p := holdPlan(t, a.Addr(), 10, 300*time.Millisecond)
	p.SourceAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	two, three := a.From("127.0.0.2"), a.From("127.0.0.3")
	if two != 5 || three != 5 || a.Total() != 10 || res.Connects != 10 || res.ErrorTotal() != 0 {
		t.Fatalf("server saw %d from .2, %d from .3, %d in all; client connects %d errors %d; want 5 from each",
			two, three, a.Total(), res.Connects, res.ErrorTotal())
	}
}

// TestSourceAddrBindFails: a source address that cannot be bound (IPv6
// for an IPv4 target) is counted as addr_not_available, in any model.
func TestSourceAddrBindFails(t *testing.T) {
	a := enginetest.ListenPeers(t, nil)
	for _, m := range []engine.Model{engine.ModelHold, engine.ModelClosed, engine.ModelOpen} {
		p := holdPlan(t, a.Addr(), 2, 200*time.Millisecond)
		p.Model, p.RatePerSec = m, 100
		p.SourceAddrs = []netip.Addr{netip.MustParseAddr("::1")}
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors[stats.ErrAddrNotAvail] == 0 || res.Connects != 0 || res.FirstConnectErr == "" {
			t.Fatalf("%s: addr_not_available %d, connects %d, first error %q", m, res.Errors[stats.ErrAddrNotAvail], res.Connects, res.FirstConnectErr)
		}
	}
	if n := a.Total(); n != 0 {
		t.Fatalf("server saw %d connections", n)
	}
}

// TestHoldReconnects: connections the server drops are counted and opened
// again.
func TestHoldReconnects(t *testing.T) {
	a := enginetest.ListenPeers(t, func(n int) time.Duration { // drops every other at once
		if n%2 == 0 {
			return 0
		}
		return enginetest.Keep
	})
	p := holdPlan(t, a.Addr(), 10, 500*time.Millisecond)
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	total := a.Total()
	lost := res.Errors[stats.ErrRead] + res.Errors[stats.ErrReset]
	t.Logf("accepted %d, connects %d, lost %d, open at end %d", total, res.Connects, lost, res.OpenConnsAtEnd)
	if res.OpenConnsAtEnd != 10 || lost == 0 || res.Connects != 10+lost || uint64(total) != res.Connects {
		t.Fatalf("accepted %d, connects %d, lost %d, open at end %d; want all 10 open at the end and every loss reconnected", total, res.Connects, lost, res.OpenConnsAtEnd)
	}
}

// TestHoldCancel: cancelling a hold run ends it at once, whether threads
// are blocked in read or asleep until their next request.
func TestHoldCancel(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	for _, every := range []time.Duration{0, 5 * time.Second} {
		p := holdPlan(t, srv.Addr(), 100, 10*time.Second)
		p.HoldEvery = every
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		res, err := engine.Execute(ctx, New(), p)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 2*time.Second || !res.Interrupted || res.OpenConnsAtEnd != 100 {
			t.Fatalf("every %s: took %s, interrupted %v, open at end %d", every, took, res.Interrupted, res.OpenConnsAtEnd)
		}
	}
}

// TestHoldEverySlow: with answers slower than the interval, the slots that
// come due while a request is in flight are dropped, and the next request
// goes out on its own slot.
func TestHoldEverySlow(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 250 * time.Millisecond})
	p := holdPlan(t, srv.Addr(), 5, 1200*time.Millisecond)
	p.HoldEvery = 100 * time.Millisecond
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("requests %d, responses %d, dropped %d, in flight %d, latency p50 %d µs", res.Requests, res.Responses, res.Dropped, res.InFlightAtEnd, res.Latency.ValueAtQuantile(50))
	// Each connection sends at 0.1, 0.4, 0.7 and 1.0 s after its connect
	// (each answered 250 ms later) and drops the 6 slots between.
	if res.Requests < 15 || res.Requests > 20 || res.Dropped < 25 || res.Dropped > 30 || res.ErrorTotal() != 0 {
		t.Fatalf("requests %d, dropped %d, errors %d; want 20 and 30 (a connect late by a slot costs one)", res.Requests, res.Dropped, res.ErrorTotal())
	}
	if p50 := res.Latency.ValueAtQuantile(50); p50 < 250_000 || p50 > 300_000 {
		t.Fatalf("latency p50 %d µs, want about 250 ms", p50)
	}
}
