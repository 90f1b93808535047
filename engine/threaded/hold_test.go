package threaded

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
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
// one request every second from their connect, and the target serves what
// the client sent. The run ends when the target has served two requests a
// connection, not at a fixed time: under -race beside other tests, CI saw
// these 500 threads wake 0.6 to 1.2 s late, and a loaded machine here
// answered in 1.4 s (p50), so the count served by a fixed end is anyone's
// guess. What must hold however late the machine runs is checked against
// the time the run took.
func TestHoldEvery(t *testing.T) {
	const conns, every, want = 500, time.Second, 2 * 500
	srv := enginetest.StartTarget(t, target.Config{})
	p := holdPlan(t, srv.Addr(), conns, 30*time.Second)
	p.ConnectRate = conns
	p.HoldEvery = every
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var watch sync.WaitGroup
	watch.Go(func() { // owned by the test: ends when the target served want, or the run ended
		for ctx.Err() == nil && srv.Served() < want {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	})
	start := time.Now()
	res, err := engine.Execute(ctx, New(), p)
	took := time.Since(start)
	cancel()
	watch.Wait()
	if err != nil {
		t.Fatal(err)
	}
	served, accepted := srv.Served(), enginetest.AwaitAccepted(srv, res.Connects)
	t.Logf("took %s; served %d, client requests %d, responses %d (%d in flight), dropped %d, connects %d (accepted %d), established in %s, latency p50 %d µs p99 %d µs, send lag p99 %d µs",
		took, served, res.Requests, res.Responses, res.InFlightAtEnd, res.Dropped, res.Connects, accepted, res.EstablishedIn,
		res.Latency.ValueAtQuantile(50), res.Latency.ValueAtQuantile(99), res.SendLag.ValueAtQuantile(99))
	if served < want {
		t.Fatalf("target served %d in %s, want %d: the held connections do not repeat their requests", served, took, want)
	}
	if res.ErrorTotal() != 0 || res.Connects > accepted || accepted > conns {
		t.Fatalf("errors %d, connects %d, accepted %d; want each of the %d connections opened once", res.ErrorTotal(), res.Connects, accepted, conns)
	}
	if res.Responses > served || served > res.Requests || res.Requests != res.Responses+res.InFlightAtEnd {
		t.Fatalf("client counted %d requests, %d responses and %d in flight, target served %d", res.Requests, res.Responses, res.InFlightAtEnd, served)
	}
	// Connection k connects at k/500 s or later, then has a tick every
	// second: by the end, at most (took - k/500 s) / 1 s of them, each sent
	// or dropped. More would be requests ahead of the schedule.
	var most uint64
	for k := range conns {
		if due := time.Duration(k) * time.Second / conns; took > due {
			most += uint64((took - due) / every)
		}
	}
	if ticks := res.Requests + res.Dropped; ticks > most {
		t.Fatalf("%d requests + %d dropped in %s, the schedule has %d", res.Requests, res.Dropped, took, most)
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

// TestHoldReconnects: connections the server drops are counted as closed
// by the server (not as errors) and opened again.
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
	lost := res.ServerClosed
	t.Logf("accepted %d, connects %d, lost %d, open at end %d, errors %v", total, res.Connects, lost, res.OpenConnsAtEnd, res.Errors)
	if res.ErrorTotal() != 0 {
		t.Errorf("errors %v: a connection the server closed failed no request", res.Errors)
	}
	if res.OpenConnsAtEnd != 10 || lost == 0 || res.Connects != 10+lost || uint64(total) != res.Connects {
		t.Fatalf("accepted %d, connects %d, lost %d, open at end %d; want all 10 open at the end and every loss reconnected", total, res.Connects, lost, res.OpenConnsAtEnd)
	}
}

// TestHoldCancel: cancelling a hold run ends it at once, whether threads
// are blocked in read or asleep until their next request. The cancel
// comes once all 100 are open, not at a fixed time: under load a cancel
// 300 ms in found as few as 0 of them open. A thread that slept on to its
// next request, a minute after its connect, would end the run most of a
// minute after the cancel; 10 s leaves a loaded machine room (2.8 s seen
// beside 8 busy loops and a 2,000-thread test, load average 14).
func TestHoldCancel(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	const conns = 100
	for _, every := range []time.Duration{0, time.Minute} {
		p := holdPlan(t, srv.Addr(), conns, 2*time.Minute)
		p.HoldEvery = every
		p.Live = &stats.Live{}
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled time.Time
		var watch sync.WaitGroup
		watch.Go(func() { // owned by the test: cancels when all are open, or the run ended
			for ctx.Err() == nil && p.Live.Read().OpenConns < conns {
				time.Sleep(5 * time.Millisecond)
			}
			cancelled = time.Now()
			cancel()
		})
		res, err := engine.Execute(ctx, New(), p)
		cancel()
		watch.Wait()
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(cancelled)
		t.Logf("every %s: ended %s after the cancel, open at end %d", every, took, res.OpenConnsAtEnd)
		if took > 10*time.Second || !res.Interrupted || res.OpenConnsAtEnd != conns || res.Requests != 0 {
			t.Fatalf("every %s: ended %s after the cancel, interrupted %v, open at end %d, requests %d",
				every, took, res.Interrupted, res.OpenConnsAtEnd, res.Requests)
		}
	}
}

// TestHoldEverySlow: with answers slower than the interval, the slots that
// come due while a request is in flight are dropped, and the next request
// goes out on its own slot.
func TestHoldEverySlow(t *testing.T) {
	const conns, every, length, delay = 5, 100 * time.Millisecond, 1200 * time.Millisecond, 250 * time.Millisecond
	enginetest.Tries(t, 3, func(int) string {
		srv := enginetest.StartTarget(t, target.Config{Delay: delay})
		p := holdPlan(t, srv.Addr(), conns, length)
		p.HoldEvery = every
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		accepted := enginetest.AwaitAccepted(srv, res.Connects)
		p50, svc50, lagMax := res.Latency.ValueAtQuantile(50), res.Service.ValueAtQuantile(50), res.SendLag.Max()
		t.Logf("requests %d, responses %d, dropped %d, in flight %d, connects %d (accepted %d), latency p50 %d µs, service p50 %d µs, send lag max %d µs",
			res.Requests, res.Responses, res.Dropped, res.InFlightAtEnd, res.Connects, accepted, p50, svc50, lagMax)
		// What holds however late the machine runs the threads. Each
		// connection sends on its slots (100 ms apart from its connect),
		// and each request is in flight for 250 ms at least, so its next
		// request goes out 3 slots later or more: at most 4 requests a
		// connection (at 0.1, 0.4, 0.7 and 1.0 s) before the end at 1.2 s,
		// and at least 2 slots dropped for each answered request. With
		// the slots not sent, at most 11 a connection.
		if res.Requests > 4*conns || res.Dropped < 2*res.Responses || res.Requests+res.Dropped > 11*conns {
			t.Fatalf("requests %d, responses %d, dropped %d; want 4 requests a connection at most, 2 slots dropped for each response at least, 11 slots a connection at most",
				res.Requests, res.Responses, res.Dropped)
		}
		if res.ErrorTotal() != 0 || res.Requests != res.Responses+res.InFlightAtEnd || res.Connects > accepted || accepted > conns {
			t.Fatalf("errors %d, requests %d, responses %d (+%d in flight), connects %d, accepted %d", res.ErrorTotal(),
				res.Requests, res.Responses, res.InFlightAtEnd, res.Connects, accepted)
		}
		// The latency runs from the slot the request went out on: the
		// target's delay at least, and no more than the time on the wire
		// (service) plus the latest write behind its slot (send lag). The
		// histograms round to 3 significant digits: 1 ms of slack.
		if p50 < delay.Microseconds() || p50 > svc50+lagMax+1000 {
			t.Fatalf("latency p50 %d µs, want %d µs or more, and at most service p50 %d + send lag max %d µs", p50, delay.Microseconds(), svc50, lagMax)
		}
		// What a loaded machine can miss: every connection open and sending
		// again after its first answer, and some request written within
		// half a slot of its due (timed from a slot too early, every one
		// would be a whole slot behind, send lag and latency alike).
		if lagMin := res.SendLag.Min(); res.Connects != conns || res.Requests < 2*conns || lagMin >= every.Microseconds()/2 {
			return fmt.Sprintf("connects %d, requests %d, send lag min %d µs; want %d, 2 a connection, and under %d µs",
				res.Connects, res.Requests, lagMin, conns, every.Microseconds()/2)
		}
		return ""
	})
}
