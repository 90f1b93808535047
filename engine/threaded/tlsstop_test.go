package threaded

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// usage is what a run must give back when it ends: open fds, goroutines
// and OS threads.
type usage struct{ fds, goroutines, threads int }

func usageNow() usage {
	fds, _ := os.ReadDir("/proc/self/fd")
	return usage{len(fds), runtime.NumGoroutine(), stats.ThreadCount()}
}

// checkGivenBack waits up to a second for the process to come back to
// before (a few threads of margin: the runtime keeps some idle ones) and
// fails the test if it does not.
func checkGivenBack(t *testing.T, before usage) {
	t.Helper()
	var now usage
	for end := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		now = usageNow()
		if now.fds <= before.fds && now.goroutines <= before.goroutines && now.threads <= before.threads+8 {
			return
		}
		if time.Now().After(end) {
			break
		}
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("leak: fds %d -> %d, goroutines %d -> %d, threads %d -> %d\n%s",
		before.fds, now.fds, before.goroutines, now.goroutines, before.threads, now.threads, buf[:runtime.Stack(buf, true)])
}

// TestHTTPSStop: cancelling a run ends it at once when every thread is
// blocked in a TLS handshake (a server that never answers the
// ClientHello) or in a read through TLS (a server that never answers the
// request), with connect and request timeouts far away; nothing failed is
// counted, and no fd, goroutine or thread outlives the run.
func TestHTTPSStop(t *testing.T) {
	t.Run("handshake", func(t *testing.T) {
		p := httpsPlanAt(silentListener(t))
		p.Connections, p.Duration, p.ConnectTimeout = 16, 10*time.Second, 10*time.Second
		before := usageNow()
		at := time.Now().Add(300 * time.Millisecond)
		res, took := cancelWhen(t, New(), p, func() bool { return time.Now().After(at) })
		if res.Connects != 0 || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d, errors %v; want every thread stopped in its handshake, nothing counted", res.Connects, res.Errors)
		}
		checkPrompt(t, res, took)
		checkGivenBack(t, before)
	})
	t.Run("read", func(t *testing.T) {
		release := make(chan struct{})
		var waiting atomic.Int64
		srv, _, _ := startTLSServer(t, func(_ http.ResponseWriter, r *http.Request) {
			waiting.Add(1)
			defer waiting.Add(-1)
			select { // never answers
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
		p := httpsPlan(srv)
		p.Connections, p.Duration, p.Timeout = 16, 10*time.Second, 10*time.Second
		before := usageNow()
		res, took := cancelWhen(t, trusting(srv), p, func() bool { return waiting.Load() == 16 })
		if res.Connects != 16 || res.InFlightAtEnd != 16 || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d, in flight %d, errors %v; want every thread stopped in its read, nothing failed",
				res.Connects, res.InFlightAtEnd, res.Errors)
		}
		checkPrompt(t, res, took)
		checkGivenBack(t, before)
	})
}

// cancelWhen runs p and cancels it once cond holds (polled every 10 ms,
// from one goroutine), or after 10 s. It returns the result and how long
// the run took to return after the cancel.
func cancelWhen(t *testing.T, e *Engine, p *engine.Plan, cond func() bool) (*stats.Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() { // owned by cancelWhen: ends when it cancels or the run ends
		limit := time.Now().Add(10 * time.Second)
		for !cond() && time.Now().Before(limit) {
			select {
			case <-ctx.Done():
				cancelled <- time.Time{}
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancelled <- time.Now()
		cancel()
	}()
	res, err := engine.Execute(ctx, e, p)
	returned := time.Now()
	cancel()
	at := <-cancelled
	if err != nil {
		t.Fatal(err)
	}
	if at.IsZero() {
		t.Fatalf("the run ended before the cancel: connects %d, errors %v", res.Connects, res.Errors)
	}
	return res, returned.Sub(at)
}

// checkPrompt fails the test unless the run was interrupted and returned
// within half a second of the cancel.
func checkPrompt(t *testing.T, res *stats.Result, took time.Duration) {
	t.Helper()
	t.Logf("returned %s after the cancel: connects %d, in flight %d, errors %v", took, res.Connects, res.InFlightAtEnd, res.Errors)
	if !res.Interrupted || took > 500*time.Millisecond {
		t.Fatalf("interrupted %v, returned %s after the cancel; want at once", res.Interrupted, took)
	}
}
