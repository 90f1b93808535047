package reactor

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// fakeServer accepts on loopback and answers each request read from a
// connection with reply(conn); it stops at the end of the test.
func fakeServer(t *testing.T, reply func(net.Conn) bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = c.Close() }()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_ = req.Body.Close()
					if !reply(c) {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestFailuresAreCountedByKind(t *testing.T) {
	tests := []struct {
		name  string
		reply func(net.Conn) bool
		kind  stats.ErrorKind
	}{
		{"not HTTP", func(c net.Conn) bool {
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH\r\n\r\n"))
			return true
		}, stats.ErrBadResponse},
		{"closed mid-body", func(c net.Conn) bool {
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"))
			return false
		}, stats.ErrRead},
		{"reset", func(c net.Conn) bool {
			_ = c.(*net.TCPConn).SetLinger(0)
			return false
		}, stats.ErrReset},
		{"header too large", func(c net.Conn) bool {
			hdr := make([]byte, 20<<10)
			for i := range hdr {
				hdr[i] = 'a'
			}
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nX-Big: " + string(hdr) + "\r\n\r\n"))
			return true
		}, stats.ErrHeaderTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fakeServer(t, tt.reply)
			plan := newPlan(t, addr, 2, 1)
			plan.Duration = 300 * time.Millisecond
			res := runPlan(t, context.Background(), plan)
			if res.Responses != 0 || res.Errors[tt.kind] == 0 || res.Connects == 0 {
				t.Errorf("responses %d, connects %d, errors %v; want 0, > 0 and some %v",
					res.Responses, res.Connects, res.Errors, tt.kind)
			}
			if other := res.ErrorTotal() - res.Errors[tt.kind]; other != 0 {
				t.Errorf("%d errors of other kinds: %v", other, res.Errors)
			}
			// A failure before any answer backs off: no spin.
			if res.Connects > 100 {
				t.Errorf("%d connects in 300ms: the retry does not back off", res.Connects)
			}
		})
	}
}

func TestRequestCountRunGivesUpOnAResettingServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
	})
	plan := newPlan(t, ln.Addr().String(), 4, 1)
	plan.MaxRequests = 100
	plan.ConnectTimeout = 100 * time.Millisecond
	plan.Timeout = 200 * time.Millisecond
	start := time.Now()
	res := runPlan(t, context.Background(), plan)
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("took %v to give up", took)
	}
	// Whether a socket counts as connected depends on a race the test does
	// not control: the reset may reach the socket before the loop sees its
	// connect complete (then it is a connect error). Either way every
	// attempt failed and nothing was answered.
	if res.Responses != 0 || res.ErrorTotal() == 0 {
		t.Errorf("responses %d, connects %d, errors %v", res.Responses, res.Connects, res.Errors)
	}
}
