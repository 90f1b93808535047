package goroutine

import (
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestConnectTimesMeasureTheHandshake: 1000 connects started at once by
// 1000 goroutines keep Go's scheduler busy for tens of milliseconds, and a
// goroutine whose connect completed waits its turn in the run queue, but
// each handshake on loopback takes well under a millisecond: the connect
// times must measure each connect, not the scheduler's backlog.
func TestConnectTimesMeasureTheHandshake(t *testing.T) {
	const n = 1000
	srv := enginetest.StartTarget(t, target.Config{})
	res := enginetest.RunStorm(t, New(), holdPlan(t, srv.Addr(), n, enginetest.StormLimit), srv)
	enginetest.CheckConnectStorm(t, res, n, "scheduler's backlog")
}
