// Package goroutine is nowait's goroutine mode, the idiomatic Go client:
// fasthttp's HostClient over Go's netpoller, one goroutine per connection.
// When the plan pipelines, or a request frames its body itself (its own
// Content-Length or Transfer-Encoding), each connection is a pipeline
// (pipe.go): one goroutine per request in flight writes on it and a
// reader goroutine parses the responses with fasthttp. It is the mode that
// speaks TLS. It runs the closed model (with connection stages), the open
// model (open.go) and the hold model (hold.go), takes the same Plan and
// produces the same Result as the other modes.
package goroutine

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
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
	rawFrames bool            // a request frames its body itself: written as planned, never by HostClient
	ctx       context.Context // the run's: cancelled, the run is interrupted (see stopped)
	stop      atomic.Bool
	stopCh    chan struct{}   // closed on stop, wakes sleeps
	endNs     atomic.Int64    // the run's end on the run clock, set before stop
	dialCtx   context.Context // cancelled on stop, ends dials and handshakes
	budget    *engine.Budget
	tickets   *engine.Tickets // open model; nil otherwise
	replace   *engine.Pacer   // hold model: the replacements' connect slots; nil without a connect rate
	conns     engine.ConnTally
	idleLimit time.Duration
	bufs      sync.Pool // hold model: *[]byte read buffers of holdReadBuf bytes
}

// newRun prepares the shared state of a run of plan; cancelling ctx
// interrupts the run.
func newRun(ctx context.Context, e *Engine, plan *engine.Plan) *run {
	r := &run{
		ctx:       ctx,
		plan:      plan,
		timeout:   plan.TimeoutOrDefault(),
		warmupNs:  int64(plan.Warmup),
		depth:     plan.PipelineOrDefault(),
		rawFrames: framesItself(plan.Requests),
		stopCh:    make(chan struct{}),
		budget:    engine.NewBudget(plan.MaxRequests),
		// fasthttp's idle-connection cleaner sleeps this long between
		// looks and ends only when it wakes with no connection left: it
		// bounds how long its goroutines outlive the run.
		idleLimit: 500 * time.Millisecond,
	}
	if plan.Model.OrDefault() == engine.ModelHold {
		r.replace = engine.NewPacer(plan.ConnectRate, plan.Connections)
	}
	if plan.Model.OrDefault() == engine.ModelOpen {
		sched := engine.NewSchedule(plan.RatePerSec, plan.Stages)
		r.tickets = engine.NewTickets(sched, plan.MaxRequests, r.warmupNs)
		r.idleLimit = openIdleLimit(plan)
	}
	if plan.Scheme == "https" {
		r.tls = engine.TLSConfig(e.TLSConfig, plan)
	}
	r.bufs.New = func() any { b := make([]byte, holdReadBuf); return &b }
	return r
}

// crew is what a run starts: the slots (connections) with their recorder
// groups, and one task per goroutine: workers (closed and open models)
// or holders (hold model).
type crew struct {
	groups  []*engine.RecorderGroup
	slots   []*slot
	workers []*worker
	holders []*holder
	tasks   []func()
	ramp    *engine.ConnRamp // closed model with stages; nil otherwise
}

// newCrew prepares the slots and their goroutines' tasks for r's plan.
func newCrew(r *run) *crew {
	plan := r.plan
	model := plan.Model.OrDefault()
	c := &crew{}
	nSlots := plan.Connections
	if model == engine.ModelClosed && len(plan.Stages) > 0 {
		cr := engine.NewConnRamp(plan.Connections, plan.Stages)
		c.ramp, nSlots = &cr, max(cr.Max(), 1)
	}
	order := weightedOrder(plan.Requests)
	c.groups = make([]*engine.RecorderGroup, engine.GroupCount(nSlots))
	for i := range c.groups {
		c.groups[i] = engine.NewRecorderGroup(plan.Warmup, plan.EndNs(), plan.Live)
	}
	c.slots = make([]*slot, nSlots)
	for i := range c.slots {
		s := newSlot(r, i, c.groups[i%len(c.groups)])
		c.slots[i] = s
		if model == engine.ModelHold {
			h := newHolder(r, s, order)
			c.holders = append(c.holders, h)
			c.tasks = append(c.tasks, h.loop)
			continue
		}
		for k := range r.depth {
			w := newWorker(r, s, order, i*r.depth+k)
			c.workers = append(c.workers, w)
			c.tasks = append(c.tasks, w.loop)
		}
	}
	return c
}

// Run drives the plan's load with one goroutine per connection (per
// request in flight when pipelining) and returns what it measured.
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	if err := check(plan); err != nil {
		return nil, err
	}
	r := newRun(ctx, e, plan)
	var cancelDials context.CancelFunc
	r.dialCtx, cancelDials = context.WithCancel(context.Background())
	defer cancelDials()
	c := newCrew(r)
	rampAt := 0
	if c.ramp != nil {
		rampAt = activateRamp(*c.ramp, c.slots)
	}
	r.clock = engine.NewClock()
	var wg, side sync.WaitGroup
	allDone := make(chan struct{})
	for _, task := range c.tasks {
		wg.Go(task)
	}
	go func() { // owned by Run: ends when every task has ended
		wg.Wait()
		close(allDone)
	}()
	side.Go(func() { r.tickLoop(c.groups) })
	if c.ramp != nil {
		side.Go(func() { r.rampLoop(*c.ramp, c.slots, rampAt) })
	}

	engine.AwaitEnd(ctx, plan, allDone)
	endNs := plan.ClampEnd(r.clock.Now()) // the intervals end where the plan does
	r.endNs.Store(endNs)
	for _, g := range c.groups {
		g.End(endNs)
	}
	open := c.openNow()
	// Why this order: the flag first, so that no dial opens a connection
	// the closing below would miss; then wake the sleepers and end the
	// dials; then close what is open, which unblocks every request.
	r.stop.Store(true)
	close(r.stopCh)
	cancelDials()
	for _, s := range c.slots {
		s.closeConn()
	}
	<-allDone
	side.Wait()
	for _, s := range c.slots {
		s.shutdown()
	}
	return r.result(c, open, endNs), nil
}

// stopped reports whether the run has stopped, or was interrupted (ctx
// cancelled: the stop follows at once). No outcome known after that is
// counted: its request is in flight at the end, as in every mode.
func (r *run) stopped() bool { return r.stop.Load() || r.ctx.Err() != nil }

// openNow counts the open connections of each recorder group.
func (c *crew) openNow() []int {
	open := make([]int, len(c.groups))
	for i, s := range c.slots {
		if s.opened.Load() {
			open[i%len(c.groups)]++
		}
	}
	return open
}

// check refuses what this mode cannot do.
func check(plan *engine.Plan) error {
	switch m := plan.Model.OrDefault(); m {
	case engine.ModelClosed, engine.ModelOpen, engine.ModelHold:
	default:
		return fmt.Errorf("%w: goroutine mode does not know the %q model", engine.ErrUnsupported, m)
	}
	return plan.Validate()
}

// framesItself reports whether a request carries its own Content-Length
// or Transfer-Encoding header. fasthttp's HostClient makes those agree
// with the body before it writes a request: it rewrites a Content-Length
// that does not, and refuses a Transfer-Encoding or a repeated
// Content-Length, writing nothing. The other modes send such a request as
// given (testing how a server takes bad framing is a use), so this mode
// then writes the plan's bytes itself, as it does when pipelining.
func framesItself(reqs []engine.Request) bool {
	for i := range reqs {
		for _, h := range reqs[i].Headers {
			if strings.EqualFold(h.Name, "Content-Length") || strings.EqualFold(h.Name, "Transfer-Encoding") {
				return true
			}
		}
	}
	return false
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

// result merges the groups' recorders once every task has ended, with
// open[i] connections of group i open at endNs.
func (r *run) result(c *crew, open []int, endNs int64) *stats.Result {
	res := stats.NewResult()
	res.Mode = Mode
	res.Start = r.clock.Start().Add(r.plan.Warmup)
	for _, s := range c.slots { // the bytes of the last exchanges
		s.drain(s.g.Lock(endNs))
		s.g.Unlock()
	}
	if r.tickets != nil {
		// Requests due before the end that no worker was free to take.
		c.groups[0].Lock(endNs).Dropped += uint64(r.tickets.Untaken(endNs))
		c.groups[0].Unlock()
	}
	for i, g := range c.groups {
		// Every recorder closes the same intervals, so they merge by index.
		res.AddRecorder(g.Finish(endNs, open[i]))
		res.OpenConnsAtEnd += open[i]
	}
	for _, w := range c.workers {
		res.InFlightAtEnd += uint64(w.inFlightAtEnd)
	}
	for _, h := range c.holders {
		if h.inFlightAtEnd {
			res.InFlightAtEnd++
		}
	}
	res.Elapsed = time.Duration(max(endNs-int64(r.plan.Warmup), 0))
	res.Warmup = r.plan.WarmupRan(endNs)
	r.conns.Fill(res, endNs)
	if r.tickets != nil {
		res.Saturation = engine.OpenSaturation(r.plan, r.tickets.Schedule(), res)
	}
	return res
}
