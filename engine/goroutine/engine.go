// Package goroutine is nowait's goroutine mode, the idiomatic Go client:
// fasthttp's HostClient over Go's netpoller, one goroutine per connection
// (PipelineClient, with one goroutine per request in flight, when the plan
// pipelines). It is the mode that speaks TLS. It takes the same Plan and
// produces the same Result as the other modes.
package goroutine

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Mode is the name of this mode in results and on the command line.
const Mode = "goroutine"

// Engine runs a plan in goroutine mode. The zero value is ready; use New.
type Engine struct {
	// TLSConfig, when set, is the TLS configuration for https targets
	// (tests give it their own root CA). Nil means the defaults: the
	// system roots, verified against the request's host name.
	TLSConfig *tls.Config
}

var _ engine.Engine = (*Engine)(nil)

// New returns a goroutine-mode engine.
func New() *Engine { return &Engine{} }

// run is the state the connections of one run share: read-only after
// start, except the atomics.
type run struct {
	plan      *engine.Plan
	clock     engine.Clock
	tls       *tls.Config // nil for http
	timeout   time.Duration
	warmupNs  int64 // run-clock end of the warm-up
	depth     int
	stop      atomic.Bool
	stopCh    chan struct{}   // closed on stop, wakes backoff sleeps
	dialCtx   context.Context // cancelled on stop, ends dials and handshakes
	budget    *engine.Budget
	open      engine.Gauge
	firstErr  atomic.Pointer[string]
	idleLimit time.Duration
}

// Run drives the plan's load with one goroutine per connection (per
// request in flight when pipelining) and returns what it measured.
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	if err := check(plan); err != nil {
		return nil, err
	}
	r := &run{
		plan:     plan,
		timeout:  plan.TimeoutOrDefault(),
		warmupNs: int64(plan.Warmup),
		depth:    plan.PipelineOrDefault(),
		stopCh:   make(chan struct{}),
		budget:   engine.NewBudget(plan.MaxRequests),
		// fasthttp's idle-connection cleaner sleeps this long between
		// looks and ends only when it wakes with no connection left: it
		// bounds how long its goroutines outlive the run.
		idleLimit: 500 * time.Millisecond,
	}
	if plan.Scheme == "https" {
		r.tls = tlsConfig(e.TLSConfig, plan)
	}
	var cancelDials context.CancelFunc
	r.dialCtx, cancelDials = context.WithCancel(context.Background())
	defer cancelDials()
	order := weightedOrder(plan.Requests)
	groups := make([]*engine.RecorderGroup, engine.GroupCount(plan.Connections))
	for i := range groups {
		groups[i] = engine.NewRecorderGroup(plan.Warmup, plan.Live)
	}
	slots := make([]*slot, plan.Connections)
	var workers []*worker
	for i := range slots {
		slots[i] = newSlot(r, i, groups[i%len(groups)])
		for k := range r.depth {
			workers = append(workers, newWorker(r, slots[i], k == 0, order, i*r.depth+k))
		}
	}
	r.clock = engine.NewClock()
	var wg sync.WaitGroup
	allDone := make(chan struct{})
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop()
		}()
	}
	go func() { // owned by Run: ends when every worker has ended
		wg.Wait()
		close(allDone)
	}()

	engine.AwaitEnd(ctx, plan, allDone)
	endNs := r.clock.Now()
	for _, g := range groups {
		g.End(endNs)
	}
	open := make([]int, len(groups))
	openAtEnd := 0
	for i, s := range slots {
		if s.opened.Load() {
			open[i%len(groups)]++
			openAtEnd++
		}
	}
	r.stop.Store(true)
	close(r.stopCh)
	cancelDials()
	for _, s := range slots {
		s.closeConn()
	}
	<-allDone
	for _, s := range slots {
		s.shutdown()
	}
	res := r.result(groups, open, workers, endNs)
	res.OpenConnsAtEnd = openAtEnd
	return res, nil
}

// check refuses what this mode cannot do.
func check(plan *engine.Plan) error {
	if m := plan.Model.OrDefault(); m != engine.ModelClosed {
		return fmt.Errorf("%w: goroutine mode runs the closed model only, not %q; use --mode async", engine.ErrUnsupported, m)
	}
	if len(plan.Stages) > 0 {
		return fmt.Errorf("%w: goroutine mode does not ramp connections in stages; use --mode async", engine.ErrUnsupported)
	}
	return plan.Validate()
}

// tlsConfig returns the TLS configuration for the plan: a clone of base,
// or a default one, with the server name of the first request's host.
func tlsConfig(base *tls.Config, plan *engine.Plan) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = hostname(plan.Requests[0].Host)
	}
	return cfg
}

// weightedOrder lists request indices, each as often as its weight.
func weightedOrder(reqs []engine.Request) []int {
	var order []int
	for i := range reqs {
		for range max(reqs[i].Weight, 1) {
			order = append(order, i)
		}
	}
	return order
}

// result merges the groups' recorders once every worker has ended, with
// open[i] connections of group i open at endNs.
func (r *run) result(groups []*engine.RecorderGroup, open []int, workers []*worker, endNs int64) *stats.Result {
	res := stats.NewResult()
	res.Mode = Mode
	res.Start = r.clock.Start().Add(r.plan.Warmup)
	for _, w := range workers {
		if w.drains { // the bytes of the last exchanges
			w.drain(w.slot.g.Lock(endNs))
			w.slot.g.Unlock()
		}
		res.InFlightAtEnd += uint64(w.inFlightAtEnd)
	}
	for i, g := range groups {
		// Every recorder closes the same intervals, so they merge by index.
		res.AddRecorder(g.Finish(endNs, open[i]))
	}
	res.Elapsed = time.Duration(max(endNs-int64(r.plan.Warmup), 0))
	res.PeakOpenConns = int(r.open.Peak())
	if p := r.firstErr.Load(); p != nil {
		res.FirstConnectErr = *p
	}
	return res
}
