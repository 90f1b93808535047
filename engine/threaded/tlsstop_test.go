package threaded

import (
	"context"
	"net/http"
	"os"
	"runtime"
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
		res := cancelAfter(t, New(), p, 300*time.Millisecond)
		if res.Connects != 0 || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d, errors %v; want every thread stopped in its handshake, nothing counted", res.Connects, res.Errors)
		}
		checkGivenBack(t, before)
	})
	t.Run("read", func(t *testing.T) {
		release := make(chan struct{})
		srv, _, _ := startTLSServer(t, func(_ http.ResponseWriter, r *http.Request) {
			select { // never answers
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
		p := httpsPlan(srv)
		p.Connections, p.Duration, p.Timeout = 16, 10*time.Second, 10*time.Second
		before := usageNow()
		res := cancelAfter(t, trusting(srv), p, 500*time.Millisecond)
		if res.Connects != 16 || res.InFlightAtEnd != 16 || res.ErrorTotal() != 0 {
			t.Fatalf("connects %d, in flight %d, errors %v; want every thread stopped in its read, nothing failed",
				res.Connects, res.InFlightAtEnd, res.Errors)
		}
		checkGivenBack(t, before)
	})
}

// cancelAfter runs p and cancels it after d; the run must return within
// half a second of the cancel, interrupted.
func cancelAfter(t *testing.T, e *Engine, p *engine.Plan, d time.Duration) *stats.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	res, err := engine.Execute(ctx, e, p)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cancelled after %s, returned after %s: connects %d, in flight %d, errors %v", d, took, res.Connects, res.InFlightAtEnd, res.Errors)
	if !res.Interrupted || took > d+500*time.Millisecond {
		t.Fatalf("interrupted %v, returned %s after the cancel; want at once", res.Interrupted, took-d)
	}
	return res
}
