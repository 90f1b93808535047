package reactor

import (
	"context"
	"crypto/tls"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// run builds the loops, runs them under ctx and merges what they
// recorded. An https plan's connections take their TLS configuration
// from tlsBase (see engine.TLSConfig).
func run(ctx context.Context, plan *engine.Plan, tlsBase *tls.Config) (*stats.Result, error) {
	if err := check(plan); err != nil {
		return nil, err
	}
	var tlsCfg *tls.Config
	var tlsCPU *handshakeCPU
	if plan.Scheme == "https" {
		tlsCfg = engine.TLSConfig(tlsBase, plan)
		tlsCPU = newHandshakeCPU(max(runtime.GOMAXPROCS(0)-plan.LoopsOrDefault(), 1))
	}
	mx, err := newMix(plan.Requests, plan.PipelineOrDefault())
	if err != nil {
		return nil, err
	}
	n := plan.LoopsOrDefault()
	clock := engine.NewClock()
	var open, allOpen atomic.Int64
	holdModel := plan.Model.OrDefault() == engine.ModelHold
	openModel := plan.Model.OrDefault() == engine.ModelOpen
	sched := engine.NewSchedule(plan.RatePerSec, plan.Stages)
	limit := openLimit(&sched, plan.MaxRequests, int64(plan.Warmup))
	conns := plan.Connections
	var ramp *engine.ConnRamp
	if !openModel && len(plan.Stages) > 0 {
		r := engine.NewConnRamp(plan.Connections, plan.Stages)
		ramp, conns = &r, max(r.Max(), 1)
	}
	var replace *engine.Pacer // the hold model's replacements, paced across loops
	if holdModel {
		replace = engine.NewPacer(plan.ConnectRate, plan.Connections)
	}
	var budget *pool // the closed model's request budget, shared by the loops
	if !openModel && !holdModel {
		budget = newPool(plan.MaxRequests, n)
	}
	loops := make([]*loop, 0, n)
	defer func() {
		for _, l := range loops {
			l.poll.close()
		}
	}()
	for i := range n {
		cfg := loopConfig{
			plan:   plan,
			clock:  clock,
			mix:    mx,
			addrs:  slotAddrs(conns, len(plan.Addrs), n, i),
			pool:   budget,
			open:   &open,
			all:    &allOpen,
			ramp:   ramp,
			index:  i,
			nloops: n,
			tls:    tlsCfg,
			tlsCPU: tlsCPU,
		}
		if openModel {
			cfg.sched = newOpenFeed(sched, n, i, limit)
		}
		if holdModel {
			cfg.hold = newHold(plan, len(cfg.addrs), replace)
		}
		l, err := newLoop(cfg)
		if err != nil {
			return nil, err
		}
		loops = append(loops, l)
		if budget != nil {
			budget.wakers[i] = l.poll
		}
	}
	err = runLoops(ctx, loops)
	res := merge(plan, clock, loops, allOpen.Load())
	if openModel {
		res.Saturation = engine.OpenSaturation(plan, &sched, res)
	}
	return res, err
}

// check refuses plans the async mode cannot run.
func check(plan *engine.Plan) error {
	if err := plan.Validate(); err != nil {
		return err
	}
	switch m := plan.Model.OrDefault(); m {
	case engine.ModelOpen, engine.ModelHold, engine.ModelClosed:
	default:
		return fmt.Errorf("%w: the %s model is not in async mode", engine.ErrUnsupported, m)
	}
	return nil
}

// runLoops runs each loop on its own goroutine and waits for all of them.
// Cancelling ctx (or a loop failing) wakes every loop through its eventfd.
func runLoops(ctx context.Context, loops []*loop) error {
	g, gctx := errgroup.WithContext(ctx)
	woken := make(chan struct{})
	stopWake := context.AfterFunc(gctx, func() {
		defer close(woken)
		for _, l := range loops {
			l.stopAsked.Store(true) // the wake-up also hands back handshakes: say it is a stop
			_ = l.poll.wake()       // cannot fail but by a full counter, which wakes the loop anyway
		}
	})
	for _, l := range loops {
		l.ctx = gctx
		g.Go(l.run)
	}
	err := g.Wait()
	// Wait returns with gctx cancelled, so the wake-up runs (or ran): let
	// it finish before the caller closes the eventfds it writes to.
	if !stopWake() {
		<-woken
	}
	return err
}

// merge builds the Result from the loops' recorders and end states, and
// allOpenNs, when the plan's connections were first all open at once (run
// clock; 0: never).
func merge(plan *engine.Plan, clock engine.Clock, loops []*loop, allOpenNs int64) *stats.Result {
	res := stats.NewResult()
	res.Mode = "async"
	res.Loops = len(loops)
	res.Start = clock.Start().Add(plan.Warmup)
	var stopNs, firstNs int64
	for _, l := range loops {
		stopNs = max(stopNs, l.stopNs)
	}
	// Every loop closes its intervals up to the same end, so they merge by
	// index: the planned end when the loops stopped just after it.
	endNs := plan.ClampEnd(stopNs)
	for _, l := range loops {
		l.tl.Finish(endNs, l.openAtEnd)
		res.AddRecorder(l.rec)
		res.OpenConnsAtEnd += l.openAtEnd
		res.InFlightAtEnd += uint64(max(l.inFlightAtEnd, 0))
		res.PeakOpenConns = max(res.PeakOpenConns, int(l.peak))
		res.HTTPToTLS = res.HTTPToTLS || l.httpToTLS
		if l.firstErr != "" && (res.FirstConnectErr == "" || l.firstErrNs < firstNs) {
			res.FirstConnectErr, firstNs = l.firstErr, l.firstErrNs
		}
	}
	// The measured part is what the intervals cover: to the planned end,
	// though the loops noticed it a little later.
	res.Elapsed = max(time.Duration(endNs)-plan.Warmup, 0)
	res.Warmup = plan.WarmupRan(endNs)
	res.EstablishedIn = engine.EstablishedBy(allOpenNs, endNs)
	return res
}
