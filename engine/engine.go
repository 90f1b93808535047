// Package engine holds what every I/O mode shares: the Plan a run follows,
// the Engine interface the modes implement, and the load models. It never
// imports its own subpackages; cmd picks the engine for a mode.
package engine

import (
	"context"
	"time"

	"github.com/nowait/nowait/stats"
)

// Engine drives the load of a Plan in one I/O mode and returns what it
// measured. Run returns an error only when the run could not be carried out
// at all (the OS refused an epoll fd, say); failed requests and connects are
// counted in the Result. When ctx is cancelled the run stops cleanly and the
// partial Result is returned, with Interrupted set.
type Engine interface {
	Run(ctx context.Context, plan *Plan) (*stats.Result, error)
}

// Execute validates the plan, runs it on e while measuring the generator's
// own cost, and fills the Result fields that do not depend on the mode.
// The mode runs a copy of the plan with its connections capped to its
// request count (Plan.CapConnections): the same rule in every mode.
func Execute(ctx context.Context, e Engine, plan *Plan) (*stats.Result, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	capped := *plan
	capped.CapConnections()
	plan = &capped
	meter := stats.StartMeter()
	res, err := e.Run(ctx, plan)
	gen := meter.Stop()
	if err != nil {
		return res, err
	}
	res.Generator = gen
	res.Target = plan.Target
	res.Model = string(plan.Model.OrDefault())
	res.Connections = plan.Connections
	res.ConnectionsAsked = plan.ConnectionsAsked
	res.Pipeline = plan.PipelineOrDefault()
	res.RatePerSec = plan.RatePerSec // the engine set Warmup: the warm-up that ran (Plan.WarmupRan)
	if ctx.Err() != nil {
		res.Interrupted = true
	}
	// In flight is among the measured requests: those written in a
	// warm-up that a Ctrl-C cut short are the warm-up's, not the run's.
	if open := int64(res.Requests) - int64(res.Responses) - int64(res.RequestErrors()); int64(res.InFlightAtEnd) > open {
		res.InFlightAtEnd = uint64(max(open, 0))
	}
	return res, nil
}

// Clock reads a monotonic clock as nanoseconds since a fixed start. It is
// one vDSO call and allocates nothing.
type Clock struct{ start time.Time }

// NewClock returns a clock whose zero is now.
func NewClock() Clock { return Clock{start: time.Now()} }

// Now returns nanoseconds since the clock's zero.
func (c Clock) Now() int64 { return int64(time.Since(c.start)) }

// Start returns the wall-clock time of the clock's zero.
func (c Clock) Start() time.Time { return c.start }

// AwaitEnd blocks until the run should stop: ctx is cancelled, the plan's
// warm-up plus duration has passed (when it has a duration), or done is
// closed because every worker has ended by itself.
func AwaitEnd(ctx context.Context, plan *Plan, done <-chan struct{}) {
	var timer <-chan time.Time
	if d := plan.DurationOrDefault(); d > 0 {
		t := time.NewTimer(plan.Warmup + d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
	case <-timer:
	case <-done:
	}
}
