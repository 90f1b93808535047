// Package reactor is nowait's async mode: a few event loops, each a
// goroutine locked to its OS thread with its own epoll fd, connections,
// timers and recorder, driving non-blocking sockets with as few system
// calls per request as it can (one write per batch, one read per burst of
// responses, no epoll_ctl per request, no allocation per request).
package reactor

import (
	"context"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Engine is the async mode. Its zero value is ready to use; one Engine may
// run several plans, one after the other or at once.
type Engine struct{}

var _ engine.Engine = (*Engine)(nil)

// New returns the async engine.
func New() *Engine { return &Engine{} }

// Run drives the plan's load on plan.LoopsOrDefault() event loops and
// returns what they measured, merged. Failed requests and connects are
// counted in the Result; Run returns an error only when the run could not
// be carried out (an unsupported plan, the OS refusing an epoll fd).
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	return run(ctx, plan)
}
