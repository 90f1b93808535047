// Package threaded is nowait's sync mode: the classic thread-per-connection
// client. Each connection is a goroutine locked to its own OS thread, on a
// blocking socket driven by raw blocking read and write syscalls (no Go
// netpoller), so each connection really costs a kernel thread, a stack and
// a context switch per response. It uses the same wire codec and stats as
// the reactor, so a comparison measures the I/O model alone. Over https
// crypto/tls runs on the same thread over the same blocking socket
// (tls.go).
package threaded

import (
	"context"
	"crypto/tls"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Mode is the name of this mode in results and on the command line.
const Mode = "sync"

// threadMargin is the threads kept free for the Go runtime and the rest of
// the process on top of one per connection.
const threadMargin = 64

// Engine runs a plan in sync mode. The zero value is ready; use New.
type Engine struct {
	// TLSConfig, when set, is the TLS configuration for https targets
	// (tests give it their own root CA). Nil means the defaults: the
	// system roots, verified against the request's host name.
	TLSConfig *tls.Config
}

var _ engine.Engine = (*Engine)(nil)

// New returns a sync-mode engine.
func New() *Engine { return &Engine{} }

// run is the state the connections of one run share: read-only after
// start, except the atomics.
type run struct {
	plan      *engine.Plan
	clock     engine.Clock
	tls       *tls.Config // nil for http
	order     []int       // request indices in weighted round-robin order
	depth     int         // pipelining depth
	timeoutNs int64
	warmupNs  int64 // run-clock end of the warm-up
	bufSize   int

	model    engine.Model
	paced    bool             // requests have intended send times (open, hold): record the send lag
	tickets  *engine.Tickets  // open model: the schedule, handed out; nil otherwise
	ramp     *engine.ConnRamp // closed model with stages: connections wanted over time; nil otherwise
	connects engine.Schedule  // hold: when connect k is due
	replace  *engine.Pacer    // hold: the replacements' connect slots; nil without a connect rate
	everyNs  int64            // hold: one request per connection this often; 0 means none
	endNs    int64            // run-clock end of the planned run; 0 when it ends by count

	ctx    context.Context // the run's: cancelled, the run is interrupted (see stopped)
	stop   atomic.Bool
	stopCh chan struct{} // closed on stop
	stopFd int           // eventfd made readable on stop: wakes threads sleeping in ppoll
	budget *engine.Budget
	conns  engine.ConnTally
}

// Run drives the plan's load with one OS thread per connection and returns
// what it measured: the closed model (with or without connection stages),
// the open model (a rate, or rate stages) and the hold model, over http
// or https (tls.go). It fails before starting when the plan is invalid,
// or when the OS would not give it a thread per connection
// (ErrThreadLimit).
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	r := newRun(ctx, plan)
	if plan.Scheme == "https" {
		r.tls = engine.TLSConfig(e.TLSConfig, plan)
	}
	var err error
	if r.stopFd, err = newStopFd(); err != nil {
		return nil, err
	}
	defer func() { _ = unix.Close(r.stopFd) }() // once every thread has ended; nothing to do if it fails
	n := plan.Connections
	if r.ramp != nil {
		n = max(r.ramp.Max(), 1) // a thread for every connection the ramp ever wants
	}
	if err := threadsAvailable(n + threadMargin); err != nil {
		return nil, err
	}
	raiseMaxThreads(n + threadMargin)

	groups := make([]*engine.RecorderGroup, engine.GroupCount(n))
	for i := range groups {
		groups[i] = engine.NewRecorderGroup(plan.Warmup, plan.EndNs(), plan.Live)
	}
	conns := make([]*conn, n)
	for i := range conns {
		conns[i] = newConn(r, i, groups[i%len(groups)])
	}
	// Every thread is created before the clock starts. A goroutine that
	// locks its thread and then waits on a channel hands its P over at
	// once, so the runtime creates the next thread straight away; if each
	// went on into a blocking syscall instead, the P would pass on only
	// when sysmon retakes it (20 us to 10 ms), and 5000 threads would
	// take seconds of the measured run to appear.
	var wg, ready sync.WaitGroup
	start := make(chan struct{})
	allDone := make(chan struct{})
	for _, c := range conns {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			// Never unlocked: when the goroutine returns, the runtime ends
			// the thread rather than reuse it, so the run leaves no threads.
			runtime.LockOSThread()
			ready.Done()
			<-start
			c.loop()
		}()
	}
	ready.Wait()
	r.clock = engine.NewClock()
	close(start)
	go func() { // owned by Run: ends when every connection has ended
		wg.Wait()
		close(allDone)
	}()
	ticked := make(chan struct{})
	go func() { // owned by Run: ends on stop
		defer close(ticked)
		r.tick(groups)
	}()

	engine.AwaitEnd(ctx, plan, allDone)
	endNs := plan.ClampEnd(r.clock.Now()) // the intervals end where the plan does
	for _, g := range groups {
		g.End(endNs)
	}
	r.stop.Store(true)
	close(r.stopCh)
	signalStop(r.stopFd)
	for _, c := range conns {
		c.wake()
	}
	<-allDone
	<-ticked
	res := r.result(groups, conns, endNs)
	if r.tickets != nil {
		res.Saturation = engine.OpenSaturation(plan, r.tickets.Schedule(), res)
	}
	return res, nil
}

// newRun prepares what the connections of a run share, for the plan's
// load model; cancelling ctx interrupts the run.
func newRun(ctx context.Context, plan *engine.Plan) *run {
	r := &run{
		ctx:       ctx,
		plan:      plan,
		order:     weightedOrder(plan.Requests),
		depth:     plan.PipelineOrDefault(),
		timeoutNs: int64(plan.TimeoutOrDefault()),
		warmupNs:  int64(plan.Warmup),
		bufSize:   plan.MaxHeaderBytesOrDefault() + 32<<10,
		stopCh:    make(chan struct{}),
		budget:    engine.NewBudget(plan.MaxRequests),
		model:     plan.Model.OrDefault(),
		endNs:     plan.EndNs(),
	}
	r.paced = r.model != engine.ModelClosed
	switch r.model {
	case engine.ModelOpen:
		sched := engine.NewSchedule(plan.RatePerSec, plan.Stages)
		r.tickets = engine.NewTickets(sched, plan.MaxRequests, r.warmupNs)
		r.budget = engine.NewBudget(0) // the tickets hold the request count
	case engine.ModelHold:
		r.connects = engine.NewSchedule(plan.ConnectRate, nil)
		r.replace = engine.NewPacer(plan.ConnectRate, plan.Connections)
		r.everyNs = int64(plan.HoldEvery)
	default:
		if len(plan.Stages) > 0 {
			ramp := engine.NewConnRamp(plan.Connections, plan.Stages)
			r.ramp = &ramp
		}
	}
	return r
}

// tick closes every group's intervals on time, a millisecond after each
// second of the measured run, so that an interval's open connections are
// those of its end even when no member records anything (held connections,
// idle ramp threads). It returns on stop.
func (r *run) tick(groups []*engine.RecorderGroup) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for next := r.warmupNs + int64(time.Millisecond); ; next += engine.IntervalNs {
		t.Reset(time.Duration(next - r.clock.Now()))
		select {
		case <-r.stopCh:
			return
		case <-t.C:
		}
		now := r.clock.Now()
		for _, g := range groups {
			g.Lock(now)
			g.Unlock()
		}
	}
}

// ended reports whether the run is over at nowNs: its planned end has
// passed, or it was interrupted or stopped (see stopped); if so it waits
// for the stop (the stopper's timer fires at the planned end, and it
// follows an interrupt at once, so the wait is short) before reporting
// true. A thread that reads or is about to write a closed-model request
// after the end thus ends as the stop ends it: no response read after the
// end is counted (its request stays in flight) and no request is due
// after it, as in every mode.
func (r *run) ended(nowNs int64) bool {
	if r.endNs == 0 || nowNs < r.endNs {
		return r.stopped()
	}
	<-r.stopCh
	return true
}

// stopped reports whether the run has stopped. Once ctx is cancelled (a
// Ctrl-C) it waits for the stopper, which follows at once: a thread that
// sees the interrupt first neither counts what it read after it, nor
// reconnects, nor ends before the stop says what is in flight.
func (r *run) stopped() bool {
	if r.ctx.Err() != nil {
		<-r.stopCh
		return true
	}
	return r.stop.Load()
}

// raiseMaxThreads lets the Go runtime create n threads on top of those it
// has. The limit is only ever raised: lowering it below the threads alive
// would crash the process.
func raiseMaxThreads(n int) {
	want := stats.ThreadCount() + n
	prev := debug.SetMaxThreads(want)
	if prev > want {
		debug.SetMaxThreads(prev)
	}
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

// result merges the groups' recorders once every thread has ended.
func (r *run) result(groups []*engine.RecorderGroup, conns []*conn, endNs int64) *stats.Result {
	res := stats.NewResult()
	res.Mode = Mode
	res.Start = r.clock.Start().Add(r.plan.Warmup)
	open := make([]int, len(groups))
	var dropped uint64
	for i, c := range conns {
		res.OpenConnsAtEnd += c.openAtEnd
		res.InFlightAtEnd += uint64(c.inFlightAtEnd)
		open[i%len(groups)] += c.openAtEnd
		dropped += uint64(c.unsentAtEnd) // taken, due, never written
		if c.pending && c.pendDue < endNs {
			dropped++ // taken, due before the end, never queued
		}
	}
	if r.tickets != nil {
		// Due before the end and never taken: every connection was busy.
		dropped += uint64(r.tickets.Untaken(endNs))
		groups[0].Lock(endNs).Dropped += dropped
		groups[0].Unlock()
	}
	for i, g := range groups {
		// Every recorder closes the same intervals, so they merge by index.
		res.AddRecorder(g.Finish(endNs, open[i]))
	}
	res.Elapsed = time.Duration(max(endNs-int64(r.plan.Warmup), 0))
	res.Warmup = r.plan.WarmupRan(endNs)
	r.conns.Fill(res, endNs)
	return res
}
