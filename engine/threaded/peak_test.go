package threaded

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestPeakCoversOpenAtEnd: threads end one after another. Thread a ends
// with its connection open and closes it; thread b opens one more before
// it ends. Both were open at the end, so the peak must say two: a thread
// ending must not take its connection off the tally the peak is read
// from.
func TestPeakCoversOpenAtEnd(t *testing.T) {
	plan := enginetest.Plan("127.0.0.1:1")
	plan.Connections, plan.Duration = 2, time.Second
	r := newRun(context.Background(), plan)
	r.clock = engine.NewClock()
	g := engine.NewRecorderGroup(0, plan.EndNs(), nil)
	conns := []*conn{newConn(r, 0, g), newConn(r, 1, g)}
	fakeOpen := func(c *conn) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		c.fd = fd // as connect leaves it
		r.conns.Opened(r.clock.Now(), plan.Connections)
	}
	r.stop.Store(true)
	fakeOpen(conns[0])
	conns[0].end()
	fakeOpen(conns[1])
	conns[1].end()
	res := r.result([]*engine.RecorderGroup{g}, conns, r.clock.Now())
	if res.OpenConnsAtEnd != 2 || res.PeakOpenConns < res.OpenConnsAtEnd {
		t.Fatalf("%d open at the end, peak %d; want 2 and a peak of at least 2", res.OpenConnsAtEnd, res.PeakOpenConns)
	}
}

// TestPeakCountsOpenNotConnects: a server that closes every connection
// after two responses makes each thread reconnect again and again; the
// peak of open connections is how many were open at once (at most one a
// thread), not how many connects there were.
func TestPeakCountsOpenNotConnects(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{CloseAfter: 2})
	plan := enginetest.Plan(srv.Addr())
	plan.Connections, plan.MaxRequests = 5, 400
	res, err := engine.Execute(context.Background(), New(), plan)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connects %d, peak open %d, open at end %d", res.Connects, res.PeakOpenConns, res.OpenConnsAtEnd)
	if res.Connects < 150 || res.PeakOpenConns < 1 || res.PeakOpenConns > plan.Connections {
		t.Fatalf("connects %d, peak open %d; want about 200 connects and a peak of 1 to %d", res.Connects, res.PeakOpenConns, plan.Connections)
	}
}
