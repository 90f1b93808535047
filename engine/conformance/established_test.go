package conformance

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestEstablishedMeansTheSameInEveryMode: Result.EstablishedIn
// (all_established_s) is, in every mode and model, the first moment the
// plan's connections were all open at once, on the run clock, within the
// run. Against a server that listens only after a delay (connects are
// refused until then) it is set, no earlier than the listen and no later
// than the run's end; in the hold model with a connect rate, no earlier
// than the last connect was due.
func TestEstablishedMeansTheSameInEveryMode(t *testing.T) {
	const conns, delay, length = 8, 200 * time.Millisecond, time.Second
	models := []struct {
		name string
		plan func(p *engine.Plan)
	}{
		{name: "closed", plan: func(*engine.Plan) {}},
		{name: "open", plan: func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 200 }},
		{name: "hold", plan: func(p *engine.Plan) { p.Model = engine.ModelHold }},
	}
	for _, m := range modes {
		for _, md := range models {
			t.Run(m.name+"/"+md.name, func(t *testing.T) {
				addr, listen := lateListener(t)
				p := enginetest.Plan(addr)
				p.Connections, p.Duration = conns, length
				md.plan(p)
				listened := make(chan time.Time, 1)
				timer := time.AfterFunc(delay, func() { listened <- listen() })
				defer timer.Stop()
				res := execute(t, t.Context(), m, p)
				at := <-listened // the run lasts 1 s, the listen comes at 0.2 s
				opened := res.Start.Add(-p.Warmup).Add(res.EstablishedIn)
				t.Logf("listened %v after the start; all open after %v of %v; peak %d, refused %d",
					at.Sub(res.Start), res.EstablishedIn, res.Elapsed, res.PeakOpenConns, res.Errors[stats.ErrConnectRefused])
				if res.EstablishedIn <= 0 || res.EstablishedIn > res.Elapsed || opened.Before(at) {
					t.Errorf("all open after %v of a run of %v, listened %v after its start; want set, after the listen, within the run",
						res.EstablishedIn, res.Elapsed, at.Sub(res.Start))
				}
				if res.PeakOpenConns != conns || res.Errors[stats.ErrConnectRefused] == 0 {
					t.Errorf("peak %d, refused %d; want %d open, after refusals", res.PeakOpenConns, res.Errors[stats.ErrConnectRefused], conns)
				}
			})
		}
		t.Run(m.name+"/hold_connect_rate", func(t *testing.T) {
			const n, rate = 20, 50
			srv := enginetest.StartTarget(t, target.Config{})
			p := enginetest.Plan(srv.Addr())
			p.Model, p.Connections, p.ConnectRate, p.Duration = engine.ModelHold, n, rate, length
			sched := engine.NewSchedule(rate, nil)
			last, _ := sched.Due(n - 1) // 380 ms
			res := execute(t, t.Context(), m, p)
			t.Logf("all open after %v of %v; the last connect due at %v", res.EstablishedIn, res.Elapsed, time.Duration(last))
			if res.EstablishedIn < time.Duration(last) || res.EstablishedIn > res.Elapsed || res.PeakOpenConns != n {
				t.Errorf("all open after %v of a run of %v, peak %d; want after the last connect's due time %v, within the run, %d",
					res.EstablishedIn, res.Elapsed, res.PeakOpenConns, time.Duration(last), n)
			}
		})
	}
}

// lateListener returns the address of a socket bound on 127.0.0.1 that
// does not listen yet, so connects to it are refused (and the port stays
// its own meanwhile), and a func that makes it listen, serve
// enginetest.CannedResponse to every request, and return the time just
// before it listened.
func lateListener(t *testing.T) (string, func() time.Time) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "late listener")
	t.Cleanup(func() { f.Close() })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
	return addr, func() time.Time {
		at := time.Now()
		if err := unix.Listen(fd, 1024); err != nil {
			t.Error(err)
			return at
		}
		ln, err := net.FileListener(f) // a copy of the socket: f's cleanup closes the original
		if err != nil {
			t.Error(err)
			return at
		}
		enginetest.ServeCanned(t, ln)
		return at
	}
}
