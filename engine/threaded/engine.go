// Package threaded is nowait's sync mode: the classic thread-per-connection
// client. Each connection is a goroutine locked to its own OS thread, on a
// blocking socket driven by raw blocking read and write syscalls (no Go
// netpoller), so each connection really costs a kernel thread, a stack and
// a context switch per response. It uses the same wire codec and stats as
// the reactor, so a comparison measures the I/O model alone.
package threaded

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Mode is the name of this mode in results and on the command line.
const Mode = "sync"

// threadMargin is the threads kept free for the Go runtime and the rest of
// the process on top of one per connection.
const threadMargin = 64

// Engine runs a plan in sync mode. The zero value is ready; use New.
type Engine struct{}

var _ engine.Engine = (*Engine)(nil)

// New returns a sync-mode engine.
func New() *Engine { return &Engine{} }

// run is the state the connections of one run share: read-only after
// start, except the atomics.
type run struct {
	plan      *engine.Plan
	clock     engine.Clock
	order     []int // request indices in weighted round-robin order
	depth     int   // pipelining depth
	timeoutNs int64
	warmupNs  int64 // run-clock end of the warm-up
	bufSize   int

	stop     atomic.Bool
	stopCh   chan struct{} // closed on stop, wakes backoff sleeps
	budget   *engine.Budget
	open     engine.Gauge
	firstErr atomic.Pointer[string]
}

// Run drives the plan's load with one OS thread per connection and returns
// what it measured. It fails before starting when the plan asks for TLS or
// a load model other than closed, or when the OS would not give it a
// thread per connection (ErrThreadLimit).
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	if err := check(plan); err != nil {
		return nil, err
	}
	n := plan.Connections
	if err := threadsAvailable(n + threadMargin); err != nil {
		return nil, err
	}
	raiseMaxThreads(n + threadMargin)

	r := &run{
		plan:      plan,
		order:     weightedOrder(plan.Requests),
		depth:     plan.PipelineOrDefault(),
		timeoutNs: int64(plan.TimeoutOrDefault()),
		warmupNs:  int64(plan.Warmup),
		bufSize:   plan.MaxHeaderBytesOrDefault() + 32<<10,
		stopCh:    make(chan struct{}),
		budget:    engine.NewBudget(plan.MaxRequests),
	}
	groups := make([]*engine.RecorderGroup, engine.GroupCount(n))
	for i := range groups {
		groups[i] = engine.NewRecorderGroup(plan.Warmup, plan.Live)
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

	engine.AwaitEnd(ctx, plan, allDone)
	endNs := r.clock.Now()
	for _, g := range groups {
		g.End(endNs)
	}
	r.stop.Store(true)
	close(r.stopCh)
	for _, c := range conns {
		c.wake()
	}
	<-allDone
	return r.result(groups, conns, endNs), nil
}

// check refuses what this mode cannot do.
func check(plan *engine.Plan) error {
	if plan.Scheme == "https" {
		return fmt.Errorf("%w: TLS is not in sync mode yet; use --mode goroutine for https", engine.ErrUnsupported)
	}
	if m := plan.Model.OrDefault(); m != engine.ModelClosed {
		return fmt.Errorf("%w: sync mode runs the closed model only, not %q; use --mode async", engine.ErrUnsupported, m)
	}
	if len(plan.Stages) > 0 {
		return fmt.Errorf("%w: sync mode does not ramp connections in stages; use --mode async", engine.ErrUnsupported)
	}
	return plan.Validate()
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
	for i, c := range conns {
		res.OpenConnsAtEnd += c.openAtEnd
		res.InFlightAtEnd += uint64(c.inFlightAtEnd)
		open[i%len(groups)] += c.openAtEnd
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
