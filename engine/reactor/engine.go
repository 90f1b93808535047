// Package reactor is nowait's async mode: a few event loops, each a
// goroutine locked to its OS thread with its own epoll fd, connections,
// timers and recorder, driving non-blocking sockets with as few system
// calls per request as it can (one write per batch, one read per burst of
// responses, no epoll_ctl per request, no allocation per request).
package reactor

import (
	"context"
	"crypto/tls"
	"runtime"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Engine is the async mode. Its zero value is ready to use; one Engine may
// run several plans, one after the other or at once.
type Engine struct {
	// TLSConfig, when set, is the TLS configuration for https targets
	// (tests give it their own root CA). Nil means the defaults: the
	// system roots, verified against the request's host name.
	TLSConfig *tls.Config
}

var _ engine.Engine = (*Engine)(nil)

// New returns the async engine.
func New() *Engine { return &Engine{} }

// Run drives the plan's load on plan.LoopsOrDefault() event loops and
// returns what they measured, merged. Failed requests and connects are
// counted in the Result; Run returns an error only when the run could not
// be carried out (an unsupported plan, the OS refusing an epoll fd).
func (e *Engine) Run(ctx context.Context, plan *engine.Plan) (*stats.Result, error) {
	reserveProcs(plan.LoopsOrDefault())
	return run(ctx, plan, e.TLSConfig)
}

// reserveProcs makes GOMAXPROCS at least loops + 1: a loop holds its P
// even while blocked in epoll_wait (see poller_linux.go), and one P more
// serves everything else (the end-of-run timer, Ctrl-C, the progress
// line, an in-process target). It only ever raises the setting, so runs
// at once in one process cannot lower it under each other.
func reserveProcs(loops int) {
	if runtime.GOMAXPROCS(0) < loops+1 {
		runtime.GOMAXPROCS(loops + 1)
	}
}
