package conformance

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
	"golang.org/x/sys/unix"
)

// Stops in every mode: cancelled with requests in flight, or while
// connects hang. (Over TLS: tlsstop_test.go.)

// TestCancel checks that every mode stops promptly when its context is
// cancelled, with threads blocked on a slow target, and returns the
// partial result with the requests still in flight.
func TestCancel(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			before := snapshot()
			srv, err := target.Start("127.0.0.1:0", target.Config{Delay: 3 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			p := enginetest.Plan(srv.Addr())
			p.Connections, p.Duration = 8, 10*time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			res, err := engine.Execute(ctx, m.new(), p)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			srv.Close()
			if took > 2*time.Second || !res.Interrupted {
				t.Errorf("took %s, interrupted %v; want a prompt, interrupted stop", took, res.Interrupted)
			}
			if res.InFlightAtEnd != 8 || res.Requests != 8 || res.ErrorTotal() != 0 || res.OpenConnsAtEnd != 8 {
				t.Errorf("in flight %d, requests %d, errors %d, open %d; want 8, 8, 0, 8",
					res.InFlightAtEnd, res.Requests, res.ErrorTotal(), res.OpenConnsAtEnd)
			}
			checkNoLeak(t, before, m.name == "sync")
		})
	}
}

// TestStopWhileConnecting checks that a run ends on time while its
// connects hang: the target's accept queue is full, so the kernel drops
// further SYNs and connect waits for its (long) timeout.
func TestStopWhileConnecting(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			fd, addr := fullListener(t)
			defer unix.Close(fd)
			p := enginetest.Plan(addr)
			p.Connections, p.Duration, p.ConnectTimeout = 8, 300*time.Millisecond, 20*time.Second
			start := time.Now()
			res, err := engine.Execute(context.Background(), m.new(), p)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("took %s, connects %d, open at end %d", took, res.Connects, res.OpenConnsAtEnd)
			if took > 2*time.Second {
				t.Errorf("took %s with connects hanging; want the 300ms run to end on time", took)
			}
			if res.Responses != 0 || res.Errors[stats.ErrConnectTimeout] != 0 {
				t.Errorf("responses %d, connect timeouts %d; want none of either", res.Responses, res.Errors[stats.ErrConnectTimeout])
			}
		})
	}
}

// fullListener returns a listening socket that never accepts, with its
// accept queue already full.
func fullListener(t *testing.T) (int, string) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4(sa.(*unix.SockaddrInet4).Addr), uint16(sa.(*unix.SockaddrInet4).Port)).String()
	// Fill the queue: these connect at once and stay unaccepted.
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	return fd, addr
}
