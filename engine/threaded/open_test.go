package threaded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func openPlan(t *testing.T, addr string, rate float64, d time.Duration, conns int) *engine.Plan {
	t.Helper()
	p := enginetest.Plan(addr)
	p.Model = engine.ModelOpen
	p.RatePerSec = rate
	p.Duration = d
	p.Connections = conns
	return p
}

// TestOpenRate: -R 2000 for 3 s is 6000 requests due, and the target
// serves them all, within 1%.
func TestOpenRate(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	p := openPlan(t, srv.Addr(), 2000, 3*time.Second, 20)
	probe := startNoiseProbe()
	res, err := engine.Execute(context.Background(), New(), p)
	noise := probe.p99()
	if err != nil {
		t.Fatal(err)
	}
	served := srv.Served()
	t.Logf("machine's own wake-up lateness p99 %s", noise)
	// Every request due is sent, or counted as dropped or failed.
	if got := res.Requests + res.Dropped; got < 6000 || got > 6001 {
		t.Fatalf("requests %d + dropped %d = %d, want 6000", res.Requests, res.Dropped, got)
	}
	if (served < 5940 || served > 6060) && noise > probeLimit {
		t.Skipf("served %d (dropped %d); this machine wakes a sleeping thread %s late at p99, too loaded to hold 2000 req/s to 1%%", served, res.Dropped, noise)
	}
	t.Logf("served %d, responses %d, requests %d, dropped %d, in flight %d, send lag p50 %d p99 %d µs, saturation %+v",
		served, res.Responses, res.Requests, res.Dropped, res.InFlightAtEnd, res.SendLag.ValueAtQuantile(50), res.SendLag.ValueAtQuantile(99), res.Saturation)
	if served < 5940 || served > 6060 {
		t.Fatalf("target served %d, want 6000 ± 1%%", served)
	}
	if res.Responses+res.InFlightAtEnd+res.Dropped+res.ErrorTotal() < 5940 || res.Requests > 6060 {
		t.Fatalf("client counted %d responses, %d in flight, %d dropped, %d requests", res.Responses, res.InFlightAtEnd, res.Dropped, res.Requests)
	}
	if res.Responses > served {
		t.Fatalf("client counted %d responses, target served %d", res.Responses, served)
	}
}

// TestOpenEasyRateNotSaturated: 200 req/s on 10 connections is not
// flagged as saturated in at least one of three tries. The verdict also
// reads the send lag's p99 (10 ms at most), which a machine shared with
// other test runs can push past that by itself: the probe tells when it
// did, and a try can be unlucky (a fresh-clone CI run saw 15.9 ms of lag
// with the probe at 1.3 ms, once), so a generator that keeps an easy
// schedule must keep it in one try of three.
func TestOpenEasyRateNotSaturated(t *testing.T) {
	fast := enginetest.StartTarget(t, target.Config{})
	noisy := 0
	for try := range 3 {
		probe := startNoiseProbe()
		res, err := engine.Execute(context.Background(), New(), openPlan(t, fast.Addr(), 200, 1500*time.Millisecond, 10))
		noise := probe.p99()
		if err != nil {
			t.Fatal(err)
		}
		if res.Dropped > 2 {
			t.Fatalf("dropped %d at an easy rate", res.Dropped)
		}
		if !res.Saturation.Saturated {
			return
		}
		t.Logf("try %d: flagged (%s); the machine wakes a sleeping thread %s late at p99", try, res.Saturation.Reason, noise)
		if raceEnabled && keptUnderRace(res) {
			// Under the race detector ten threads wait for one of two Ps
			// after every sleep, and the send lag's p99 passes 10 ms in
			// about half the tries (never without it): the bar here is
			// the schedule kept and no lag of the order of the run.
			return
		}
		if noise > probeLimit {
			noisy++
		}
	}
	if noisy == 3 {
		t.Skip("200 req/s on 10 connections flagged in every try, on a machine too loaded to tell")
	}
	t.Fatal("200 req/s on 10 connections flagged in every try")
}

// keptUnderRace reports whether an open run kept its schedule as far as the
// race detector lets a thread per connection: every request due answered
// or in flight, and sends late by less than 100 ms at the p99.
func keptUnderRace(res *stats.Result) bool {
	achieved := res.Responses + res.InFlightAtEnd
	return res.Dropped == 0 && achieved >= 297 && res.SendLag.ValueAtQuantile(99) < 100_000
}

// TestOpenMaxRequests: the request count ends an open run, exactly.
func TestOpenMaxRequests(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	p := openPlan(t, srv.Addr(), 1000, 0, 8)
	p.MaxRequests = 300
	start := time.Now()
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if res.Responses != 300 || srv.Served() != 300 || res.Requests != 300 {
		t.Fatalf("responses %d, requests %d, served %d; want 300", res.Responses, res.Requests, srv.Served())
	}
	// 300 requests at 1000/s are due over 0.3 s.
	if took < 290*time.Millisecond || took > 2*time.Second {
		t.Fatalf("took %s, want about 0.3 s", took)
	}
}

// TestOpenStages: a rate ramp 0 -> 2000 req/s over 1 s then 1 s at 2000
// holds 1000 + 2000 requests. More fails at once; fewer (threads a loaded
// machine wakes late) must be avoided in one try of three.
func TestOpenStages(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		before := srv.Served()
		p := openPlan(t, srv.Addr(), 0, 0, 10)
		p.Stages = []engine.Stage{{Duration: time.Second, Target: 2000}, {Duration: time.Second, Target: 2000}}
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		var perIv []uint64
		for _, iv := range res.Intervals {
			perIv = append(perIv, iv.Requests)
		}
		s := srv.Served() - before
		t.Logf("served %d, requests per interval %v, dropped %d", s, perIv, res.Dropped)
		// 3000, or 3001 when float rounding puts request 3000 a hair
		// before the end.
		if s > 3001 || len(perIv) == 0 || perIv[0] > 1100 {
			t.Fatalf("served %d, requests per interval %v: ahead of the ramp", s, perIv)
		}
		if s < 2970 || len(perIv) != 2 || perIv[1] < 1900 {
			return fmt.Sprintf("served %d, requests per interval %v; want 3000 (-1%%), about 1000 then 2000", s, perIv)
		}
		return ""
	})
}

// TestOpenTimeout: a request unanswered within the timeout counts as a
// timeout, and its connection is closed and replaced.
func TestOpenTimeout(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Second})
	p := openPlan(t, srv.Addr(), 20, 600*time.Millisecond, 2)
	p.Timeout = 50 * time.Millisecond
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("timeouts %d, connects %d, requests %d, responses %d", res.Errors[stats.ErrTimeout], res.Connects, res.Requests, res.Responses)
	if res.Errors[stats.ErrTimeout] < 4 || res.Responses != 0 || res.Connects < res.Errors[stats.ErrTimeout] {
		t.Fatalf("timeouts %d, responses %d, connects %d; want timeouts, each on a fresh connection", res.Errors[stats.ErrTimeout], res.Responses, res.Connects)
	}
}

// TestOpenWarmup: requests due in the warm-up are counted apart, and the
// measured part holds the rest of the schedule. The counts must agree in
// every try; the split, which late threads move, in one of three.
func TestOpenWarmup(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		before := srv.Served()
		p := openPlan(t, srv.Addr(), 1000, time.Second, 8)
		p.Warmup = 500 * time.Millisecond
		res, err := engine.Execute(context.Background(), New(), p)
		if err != nil {
			t.Fatal(err)
		}
		warm, measured := res.WarmupCounters.Requests, res.Requests
		t.Logf("warm-up %d requests, measured %d, dropped %d, elapsed %s, intervals %d", warm, measured, res.Dropped, res.Elapsed, len(res.Intervals))
		// 500 requests are due in the warm-up and 1500 in all: neither can
		// be exceeded. A warm-up request answered after the warm-up counts
		// as measured (a try seen under load: 463 + 1037), which only
		// moves the split, so the split is what a try may miss.
		if srv.Served()-before != warm+measured || warm > 520 || warm+measured > 1520 || res.Elapsed != time.Second || len(res.Intervals) != 1 {
			t.Fatalf("target served %d, client sent %d + %d; elapsed %s, intervals %d", srv.Served()-before, warm, measured, res.Elapsed, len(res.Intervals))
		}
		if warm < 480 || measured > 1020 || measured+res.Dropped < 980 {
			return fmt.Sprintf("warm-up %d (want ~500), measured %d + dropped %d (want ~1000)", warm, measured, res.Dropped)
		}
		return ""
	})
}

// TestOpenPipeline: with a pipeline, requests due while a connection
// waits for a response go out together after it; none is lost.
func TestOpenPipeline(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: time.Millisecond})
	p := openPlan(t, srv.Addr(), 500, time.Second, 1)
	p.Pipeline = 4
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("served %d, responses %d, in flight %d, dropped %d, errors %d", srv.Served(), res.Responses, res.InFlightAtEnd, res.Dropped, res.ErrorTotal())
	if got := res.Requests + res.Dropped; got < 500 || got > 501 || res.ErrorTotal() != 0 || res.Dropped > 10 {
		t.Fatalf("requests %d + dropped %d, errors %d; want 500, a few dropped at most, no error", res.Requests, res.Dropped, res.ErrorTotal())
	}
	if res.Responses+res.InFlightAtEnd != res.Requests || res.Responses > srv.Served() {
		t.Fatalf("requests %d, responses %d, in flight %d, served %d", res.Requests, res.Responses, res.InFlightAtEnd, srv.Served())
	}
}
