package goroutine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func openPlan(t *testing.T, addr string, rate float64, d time.Duration) *engine.Plan {
	t.Helper()
	p := enginetest.Plan(addr)
	p.Model, p.RatePerSec, p.Duration, p.Connections = engine.ModelOpen, rate, d, 20
	return p
}

func execute(t *testing.T, p *engine.Plan) *stats.Result {
	t.Helper()
	res, err := engine.Execute(context.Background(), New(), p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOpenRate(t *testing.T) {
	// -R 2000 for 3 s costs the client and the in-process target about
	// 0.6 CPU s; under -race about 2 CPU s, more than this shared 2-core
	// machine gives one process when other tests run (seen: 1.5 CPU s in
	// 3 s, service p50 53 ms for a target with no delay). So -race checks
	// the same at 500/s; the plain run checks 2000/s. When the generator
	// still falls behind it says so (saturated), and the run gets a second
	// try. Every try must account for each request due: sent or dropped.
	rate := 2000.0
	if raceOn {
		rate = 500
	}
	want := rate * 3
	for try := range 2 {
		srv := enginetest.StartTarget(t, target.Config{})
		p := openPlan(t, srv.Addr(), rate, 3*time.Second)
		p.Connections = 50
		res := execute(t, p)
		served := srv.Served()
		t.Logf("try %d at %.0f/s: cpu %.2fs; served %d, responses %d, dropped %d, in flight %d, send lag p99 %d µs, service p50 %d µs, saturation %+v",
			try, rate, res.Generator.CPUSec(), served, res.Responses, res.Dropped, res.InFlightAtEnd,
			res.SendLag.ValueAtQuantile(99), res.Service.ValueAtQuantile(50), res.Saturation)
		if res.Responses+res.InFlightAtEnd+res.ErrorTotal() != res.Requests || res.Responses > served {
			t.Fatalf("requests %d, responses %d, in flight %d, errors %d, served %d",
				res.Requests, res.Responses, res.InFlightAtEnd, res.ErrorTotal(), served)
		}
		due := rate*res.Elapsed.Seconds() + 1
		if d := float64(res.Requests+res.Dropped) - due; d < -5 || d > 5 {
			t.Fatalf("sent %d + dropped %d, but %.0f were due in %s", res.Requests, res.Dropped, due, res.Elapsed)
		}
		if res.Model != string(engine.ModelOpen) || res.SendLag.TotalCount() != int64(res.Requests) {
			t.Fatalf("model %q, send lags %d for %d requests", res.Model, res.SendLag.TotalCount(), res.Requests)
		}
		if d := float64(served) - want; d >= -want/100 && d <= want/100 {
			return
		}
		if !res.Saturation.Saturated {
			t.Fatalf("target served %d, want %.0f ± 1%%, and the run does not say it fell behind", served, want)
		}
	}
	t.Fatalf("the generator fell behind -R %.0f in every try", rate)
}

func TestOpenEasyRateNotSaturated(t *testing.T) {
	easy := enginetest.StartTarget(t, target.Config{})
	// Send lag is timer and scheduler delay: on this shared 2-core machine
	// other packages' tests can hold both cores for tens of ms, which
	// rightly flags a run (seen at load 6: send lag p99 13-40 ms in three
	// tries under -race, p50 0.7 ms). A generator that keeps an easy
	// schedule keeps it in at least one of three plain tries; under -race
	// the verdict is only logged, and must not blame the connections.
	for try := range 3 {
		p := openPlan(t, easy.Addr(), 200, time.Second)
		p.Connections = 10
		res := execute(t, p)
		t.Logf("try %d: saturation %+v, responses %d, in flight %d, dropped %d, send lag p50 %d p99 %d µs", try,
			res.Saturation, res.Responses, res.InFlightAtEnd, res.Dropped, res.SendLag.ValueAtQuantile(50), res.SendLag.ValueAtQuantile(99))
		if strings.Contains(res.Saturation.Reason, "too few connections") || res.Dropped > 2 || res.Responses+res.InFlightAtEnd < 195 {
			t.Fatalf("an easy rate judged short of connections or dropping: %+v, dropped %d", res.Saturation, res.Dropped)
		}
		if !res.Saturation.Saturated || raceOn {
			return
		}
	}
	t.Fatal("an easy rate was flagged in every try")
}

func TestOpenMaxRequests(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	p := openPlan(t, srv.Addr(), 1000, 0)
	p.MaxRequests = 300
	start := time.Now()
	res := execute(t, p)
	took := time.Since(start)
	if res.Responses != 300 || srv.Served() != 300 || res.Requests != 300 {
		t.Fatalf("requests %d responses %d served %d; want 300", res.Requests, res.Responses, srv.Served())
	}
	// 300 requests at 1000/s are due over 0.3 s.
	if took < 290*time.Millisecond || took > 3*time.Second {
		t.Fatalf("took %s for 300 requests at 1000/s", took)
	}
}

func TestOpenTimeoutReplacesConnection(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Delay: 300 * time.Millisecond})
	p := openPlan(t, srv.Addr(), 20, 600*time.Millisecond)
	p.Connections, p.Timeout = 4, 50*time.Millisecond
	res := execute(t, p)
	if res.Errors[stats.ErrTimeout] == 0 || res.Responses != 0 {
		t.Fatalf("timeouts %d responses %d; want timeouts only", res.Errors[stats.ErrTimeout], res.Responses)
	}
	// Each timed-out connection is closed and a new one dialled.
	if res.Connects <= uint64(p.Connections) || srv.Stats().Accepted < res.Connects {
		t.Fatalf("connects %d, target accepted %d; want a new connection per timeout",
			res.Connects, srv.Stats().Accepted)
	}
}

// TestOpenRateStages: 0 -> 1000/s over 1 s, then 1000/s for 0.5 s, send
// 500 + 500 requests: never more; fewer served, or a split off by a
// loaded machine's late goroutines, in at most two tries of three.
func TestOpenRateStages(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		before := srv.Served()
		p := openPlan(t, srv.Addr(), 0, 0)
		p.Stages = []engine.Stage{{Duration: time.Second, Target: 1000}, {Duration: 500 * time.Millisecond, Target: 1000}}
		res := execute(t, p)
		var perIv []uint64
		for _, iv := range res.Intervals {
			perIv = append(perIv, iv.Responses)
		}
		s := srv.Served() - before
		t.Logf("served %d, responses per interval %v, dropped %d, elapsed %s", s, perIv, res.Dropped, res.Elapsed)
		if s > 1010 {
			t.Fatalf("served %d, want 1000 ± 1%%", s)
		}
		// The first second ramps up (500), the last half second runs flat (500).
		if s < 990 || len(perIv) != 2 || absDiff(int(perIv[0]), 500) > 25 || absDiff(int(perIv[1]), 500) > 25 {
			return fmt.Sprintf("served %d, responses per interval %v; want 1000 ± 1%%, about [500 500]", s, perIv)
		}
		return ""
	})
}

// TestOpenWarmup: requests due in the first 300 ms are warm-up, the next
// 1000 measured. The split is made when a response is recorded, so one
// due just before the boundary and answered after it counts as measured
// (9 seen at load 9 under -race): the total must hold in every try, the
// split in one of three.
func TestOpenWarmup(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	enginetest.Tries(t, 3, func(int) string {
		before := srv.Served()
		p := openPlan(t, srv.Addr(), 1000, time.Second)
		p.Warmup = 300 * time.Millisecond
		res := execute(t, p)
		served := srv.Served() - before
		warm, measured := res.WarmupCounters.Responses, res.Responses
		t.Logf("warm-up responses %d, measured %d, served %d, elapsed %s", warm, measured, served, res.Elapsed)
		if warm+measured > served || warm+measured+res.InFlightAtEnd < served || res.Elapsed < time.Second {
			t.Fatalf("warm-up %d + measured %d (+%d in flight), served %d, elapsed %s", warm, measured, res.InFlightAtEnd, served, res.Elapsed)
		}
		if absDiff(int(warm), 300) > 30 || absDiff(int(measured), 1000) > 30 || res.Elapsed > 1100*time.Millisecond {
			return fmt.Sprintf("warm-up %d + measured %d, elapsed %s; want about 300 + 1000 in the 1 s after the warm-up", warm, measured, res.Elapsed)
		}
		return ""
	})
}

func TestOpenRefusedDrops(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	addr := srv.Addr()
	srv.Close() // nothing listens there now: every connect is refused
	p := openPlan(t, addr, 500, 500*time.Millisecond)
	p.Connections = 4
	res := execute(t, p)
	t.Logf("requests %d, dropped %d, errors %v", res.Requests, res.Dropped, res.Errors)
	// Each of the 250 requests due is dropped: by the worker whose connect
	// failed, or untaken while the workers backed off.
	if res.Requests != 0 || res.Errors[stats.ErrConnectRefused] == 0 || absDiff(int(res.Dropped), 250) > 3 {
		t.Fatalf("requests %d, dropped %d, errors %v; want 250 dropped and refusals", res.Requests, res.Dropped, res.Errors)
	}
}
