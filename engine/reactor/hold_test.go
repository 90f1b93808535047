//go:build linux

package reactor

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestHoldEstablishesAll: 2000 connections due at once are all
// established, and the target holds them all at once. The run ends when
// they are, not at a fixed time: under -race beside other tests they took
// up to 1.3 s to open.
func TestHoldEstablishesAll(t *testing.T) {
	const n = 2000
	raiseNoFile(t)
	srv := enginetest.StartTarget(t, target.Config{})
	res := enginetest.RunStorm(t, New(), holdPlan(t, srv.Addr(), n, enginetest.StormLimit), srv)
	st := srv.Stats()
	t.Logf("connects %d, peak %d, at end %d, established in %v of %v, connect p50 %d µs p99 %d µs, target accepted %d, errors %v",
		res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.EstablishedIn, res.Elapsed,
		res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99), st.Accepted, res.Errors)
	if res.Connects != n || res.PeakOpenConns != n || res.OpenConnsAtEnd != n || res.ErrorTotal() != 0 {
		t.Errorf("connects %d, peak %d, at end %d, errors %v; want %d each and none", res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd, res.Errors, n)
	}
	if res.EstablishedIn <= 0 || res.EstablishedIn > res.Elapsed {
		t.Errorf("established in %v of a run of %v", res.EstablishedIn, res.Elapsed)
	}
	if res.Requests != 0 || st.Served != 0 {
		t.Errorf("%d requests sent, %d served, with no interval", res.Requests, st.Served)
	}
	if len(res.Intervals) == 0 || res.Intervals[len(res.Intervals)-1].OpenConns != n {
		t.Errorf("intervals %d, the last with %d open", len(res.Intervals), res.Intervals[len(res.Intervals)-1].OpenConns)
	}
}

// TestHoldEverySendsRequests: 100 connections each send one request every
// 200 ms from their connect on, for 1 s: 4 each (the fifth is due after
// the end), answered with a 2 ms delay, latency counted from the due time.
// The counts must hold in every try; the latency in one of three (a
// fresh-clone CI run beside a busy core saw a service p50 of 21 ms: the
// target, under -race, serving 100 requests due at once).
func TestHoldEverySendsRequests(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 2 * time.Millisecond})
	enginetest.Tries(t, 3, func(int) string {
		before := settle(srv)
		plan := holdPlan(t, srv.Addr(), 100, time.Second)
		plan.HoldEvery = 200 * time.Millisecond
		res := runPlan(t, context.Background(), plan)
		served := settle(srv) - before
		p50 := time.Duration(res.Latency.ValueAtQuantile(50)) * time.Microsecond
		t.Logf("send lag p50 %d µs, service p50 %d µs", res.SendLag.ValueAtQuantile(50), res.Service.ValueAtQuantile(50))
		t.Logf("requests %d, responses %d, in flight %d, served %d, dropped %d, latency p50 %v p99 %v, errors %v",
			res.Requests, res.Responses, res.InFlightAtEnd, served, res.Dropped, p50,
			time.Duration(res.Latency.ValueAtQuantile(99))*time.Microsecond, res.Errors)
		if served != res.Responses+res.InFlightAtEnd || res.ErrorTotal() != 0 || res.Requests > 400 {
			t.Fatalf("%d requests; target served %d, client counted %d + %d in flight, errors %v", res.Requests, served, res.Responses, res.InFlightAtEnd, res.Errors)
		}
		if res.Connects != 100 || res.OpenConnsAtEnd != 100 {
			t.Fatalf("connects %d, open at end %d", res.Connects, res.OpenConnsAtEnd)
		}
		if p50 < 2*time.Millisecond {
			t.Fatalf("latency p50 %v with a 2 ms delay", p50)
		}
		if res.Requests < 390 || res.Dropped != 0 || p50 > 20*time.Millisecond {
			return fmt.Sprintf("%d requests, %d dropped, latency p50 %v; want 400 (100 connections × 4), none dropped, about 2 ms", res.Requests, res.Dropped, p50)
		}
		return ""
	})
}

// TestHoldConnectRate: 2000 connects at 1000 per second take 2 s, not
// less. Ahead of the schedule fails at once; behind it (a loaded machine
// stalling the loop around a second's end) must be avoided in one try of
// three.
func TestHoldConnectRate(t *testing.T) {
	const n = 2000
	raiseNoFile(t)
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		plan := holdPlan(t, srv.Addr(), n, 2500*time.Millisecond)
		plan.ConnectRate = 1000
		res := runPlan(t, context.Background(), plan)
		var ivOpen []int
		for _, iv := range res.Intervals {
			ivOpen = append(ivOpen, iv.OpenConns)
		}
		t.Logf("established in %v, connects %d, intervals' open conns %v, connect p50 %d µs p99 %d µs",
			res.EstablishedIn, res.Connects, ivOpen, res.Connect.ValueAtQuantile(50), res.Connect.ValueAtQuantile(99))
		if res.EstablishedIn < 1900*time.Millisecond || len(ivOpen) == 0 || ivOpen[0] > 1050 {
			t.Fatalf("2000 connects at 1000/s established in %v, intervals' open connections %v: ahead of the schedule", res.EstablishedIn, ivOpen)
		}
		if res.Connects != n || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d, errors %v", res.Connects, res.Errors)
		}
		// The last connect is due at 1.999 s: it may complete after the
		// second interval closes.
		if len(ivOpen) != 3 || ivOpen[0] < 950 || ivOpen[1] < n-20 || ivOpen[2] != n || res.EstablishedIn > 2500*time.Millisecond {
			return fmt.Sprintf("intervals' open connections %v, established in %v; want about 1000, then 2000, in about 2 s", ivOpen, res.EstablishedIn)
		}
		return ""
	})
}

func TestHoldBindsSourceAddresses(t *testing.T) {
	a := enginetest.ListenPeers(t, nil)
	plan := holdPlan(t, a.Addr(), 10, 300*time.Millisecond)
	plan.SourceAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
	res := runPlan(t, context.Background(), plan)
	if !eventually(func() bool { return a.From("127.0.0.2")+a.From("127.0.0.3") == 10 }) || a.From("127.0.0.2") != 5 {
		t.Errorf("the server saw %d from 127.0.0.2 and %d from 127.0.0.3, want 5 each", a.From("127.0.0.2"), a.From("127.0.0.3"))
	}
	if res.Connects != 10 || res.ErrorTotal() != 0 {
		t.Errorf("connects %d, errors %v", res.Connects, res.Errors)
	}
}

func TestHoldReconnectsWhatTheServerDrops(t *testing.T) {
	a := enginetest.ListenPeers(t, func(n int) time.Duration { // drops the first 10 at once
		if n < 10 {
			return 0
		}
		return enginetest.Keep
	})
	res := runPlan(t, context.Background(), holdPlan(t, a.Addr(), 10, 500*time.Millisecond))
	t.Logf("connects %d, open at end %d, errors %v", res.Connects, res.OpenConnsAtEnd, res.Errors)
	if res.Connects != 20 || res.OpenConnsAtEnd != 10 || res.ErrorTotal() != 0 {
		t.Errorf("connects %d, open at end %d, errors %v; want 10 dropped and reconnected", res.Connects, res.OpenConnsAtEnd, res.Errors)
	}
}

func TestHoldCountsConnectFailuresByKind(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		res := runPlan(t, context.Background(), holdPlan(t, addr, 20, 300*time.Millisecond))
		if res.Errors[stats.ErrConnectRefused] < 20 || res.Connects != 0 || res.FirstConnectErr == "" {
			t.Errorf("errors %v, connects %d, first error %q", res.Errors, res.Connects, res.FirstConnectErr)
		}
	})
	t.Run("bind", func(t *testing.T) {
		a := enginetest.ListenPeers(t, nil)
		plan := holdPlan(t, a.Addr(), 20, 300*time.Millisecond)
		plan.SourceAddrs = []netip.Addr{netip.MustParseAddr("::1")} // the other family: bind fails
		res := runPlan(t, context.Background(), plan)
		t.Logf("errors %v, first %q", res.Errors, res.FirstConnectErr)
		if res.Errors[stats.ErrAddrNotAvail] < 20 || res.Connects != 0 {
			t.Errorf("errors %v, connects %d", res.Errors, res.Connects)
		}
	})
	t.Run("too many files", func(t *testing.T) {
		// A listener that never accepts: the kernel completes the
		// handshakes into its backlog, so this process spends no fd on the
		// accepting side.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = ln.Close() }()
		var lim, low unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
		low = lim
		low.Cur = uint64(countFDs(t) + 40)
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
			t.Fatal(err)
		}
		plan := holdPlan(t, ln.Addr().String(), 100, 300*time.Millisecond)
		res, err := New().Run(context.Background(), plan)
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		t.Logf("connects %d, peak %d, errors %v", res.Connects, res.PeakOpenConns, res.Errors)
		if res.Errors[stats.ErrTooManyFiles] == 0 || res.PeakOpenConns < 20 || res.PeakOpenConns >= 100 {
			t.Errorf("errors %v, peak %d open", res.Errors, res.PeakOpenConns)
		}
	})
}

// TestLiveCountsConnectionsAsTheyOpen: the progress line's open count
// follows the connects, not the once-a-second interval ticks, and returns
// to 0 when the run ends.
func TestLiveCountsConnectionsAsTheyOpen(t *testing.T) {
	const n = 200
	srv := enginetest.StartTarget(t, target.Config{})
	plan := holdPlan(t, srv.Addr(), n, 1500*time.Millisecond)
	plan.Live = &stats.Live{}
	start := time.Now()
	done := make(chan *stats.Result)
	go func() { done <- runPlan(t, context.Background(), plan) }()
	for plan.Live.Read().OpenConns < n && time.Since(start) < 3*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	seen := time.Since(start)
	res := <-done
	// Counted at the interval ticks, the count showed up at the first one,
	// 1 s in, whenever the connections had opened (0.05 s here).
	if seen > res.EstablishedIn+300*time.Millisecond {
		t.Errorf("the live count reached %d after %v; all were open after %v", n, seen, res.EstablishedIn)
	}
	if open := plan.Live.Read().OpenConns; open != 0 {
		t.Errorf("live open count %d after the run, want 0", open)
	}
}

// TestConnectTimesMeasureTheHandshake: 1000 connects started at once by
// one loop take it tens of milliseconds to issue, but each handshake on
// loopback takes well under a millisecond: the connect times must measure
// each connect, not the loop's backlog (all of them once read as the
// storm's length, with as many distinct values as loops).
func TestConnectTimesMeasureTheHandshake(t *testing.T) {
	const n = 1000
	raiseNoFile(t)
	srv := enginetest.StartTarget(t, target.Config{})
	plan := holdPlan(t, srv.Addr(), n, enginetest.StormLimit)
	plan.Loops = 1
	enginetest.CheckConnectStorm(t, enginetest.RunStorm(t, New(), plan, srv), n, "loop's backlog")
}
