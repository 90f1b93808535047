package conformance

import (
	"bytes"
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
)

// A Ctrl-C (ctx cancelled) ends the counting in every mode as the
// planned end does: a response that arrives after it is not counted and
// its latency is not recorded; its request is in flight at the end.

// TestInterruptCountsNoLaterResponse runs the closed model against a
// server that answers each connection's first request at once and holds
// its second. Once every second request is held (so every first response
// was read and counted: the client wrote the next request after it), the
// run is cancelled, and then the held responses are sent:
//
//   - after_cancel: whole responses, written once the cancel has returned;
//   - close_delimited: a response whose body runs to the close, begun
//     before the cancel and never ended, which the stop's own shutdown of
//     the socket must not complete.
//
// Either way exactly the first responses count, and the second requests
// are in flight. A response sent after the cancel reaches a mode that
// ignores the cancel before its stop closes the connection only now and
// then (the goroutine mode counted some in 7 runs of 10 with 16
// connections, 9 of 10 with 64): that case runs three times.
func TestInterruptCountsNoLaterResponse(t *testing.T) {
	const conns = 32
	cases := []struct {
		name    string
		partial bool // the held response is begun at once, close-delimited, never ended
		rounds  int
	}{
		{name: "after_cancel", rounds: 3},
		{name: "close_delimited", partial: true, rounds: 1},
	}
	for _, m := range modes {
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				for range c.rounds {
					interruptRound(t, m, conns, c.partial)
				}
			})
		}
	}
}

// interruptRound is one run of TestInterruptCountsNoLaterResponse over
// conns connections.
func interruptRound(t *testing.T, m mode, conns int, partial bool) {
	t.Helper()
	srv := startHolder(t, partial)
	p := enginetest.Plan(srv.addr())
	p.Connections, p.Duration = conns, time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := uint64(conns)
	var held, answered uint64
	go func() { // owned by the round: ends at the cancel
		defer cancel()
		for deadline := time.Now().Add(10 * time.Second); srv.held.Load() < n && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
		held, answered = srv.held.Load(), srv.answered.Load()
		cancel()
		srv.release() // after the cancel returned: these come after the stop
	}()
	res := execute(t, ctx, m, p) // returns after the cancel, which wrote held and answered
	t.Logf("held %d, answered %d before the cancel, %d in all; requests %d, responses %d (latencies %d), in flight %d, connects %d, errors %v",
		held, answered, srv.answered.Load(), res.Requests, res.Responses, res.Latency.TotalCount(), res.InFlightAtEnd, res.Connects, res.Errors)
	if held != n || answered != n {
		t.Fatalf("held %d, answered %d; want %d each before the cancel", held, answered, n)
	}
	if res.Connects != n || srv.answered.Load() != n {
		t.Errorf("connects %d, answered %d in all; want %d: no connection opened after the cancel", res.Connects, srv.answered.Load(), n)
	}
	if !res.Interrupted || res.Responses != n || res.Status[200] != n || res.Latency.TotalCount() != int64(n) || res.ErrorTotal() != 0 {
		t.Errorf("interrupted %v, responses %d, 200s %d, latencies %d, errors %v; want interrupted, the %d answered before the cancel, no error",
			res.Interrupted, res.Responses, res.Status[200], res.Latency.TotalCount(), res.Errors, n)
	}
	if res.Requests != 2*n || res.InFlightAtEnd != n {
		t.Errorf("requests %d, in flight %d; want %d, %d", res.Requests, res.InFlightAtEnd, 2*n, n)
	}
}

// holder is a server that answers each connection's first request at once
// and holds its second until release; it counts what it answered.
type holder struct {
	ln       net.Listener
	partial  bool
	answered atomic.Uint64 // first responses written
	held     atomic.Uint64 // second requests received
	once     sync.Once
	free     chan struct{} // closed by release
	wg       sync.WaitGroup
}

// heldWhole is the held response in whole; heldHead begins one whose body
// runs to the close (no Content-Length), which the holder never ends.
const (
	heldWhole = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate"
	heldHead  = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body runs to the close"
)

func startHolder(t *testing.T, partial bool) *holder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &holder{ln: ln, partial: partial, free: make(chan struct{})}
	h.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.wg.Go(func() { h.serve(c) })
		}
	})
	t.Cleanup(func() {
		h.release()
		ln.Close()
		h.wg.Wait()
	})
	return h
}

func (h *holder) addr() string { return h.ln.Addr().String() }

// release sends the held responses (whole ones; a begun one stays begun).
func (h *holder) release() { h.once.Do(func() { close(h.free) }) }

// serve answers c's first request, holds its second, and ends when the
// client closes c or after the release.
func (h *holder) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	var got []byte
	seen := 0
	for seen < 2 {
		_ = c.SetReadDeadline(time.Now().Add(time.Minute))
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		got = append(got, buf[:n]...)
		for ; seen < 2 && bytes.Count(got, []byte("\r\n\r\n")) > seen; seen++ {
			if seen == 0 {
				if _, err := c.Write([]byte(enginetest.CannedResponse)); err != nil {
					return
				}
				h.answered.Add(1)
				continue
			}
			if h.partial {
				_, _ = c.Write([]byte(heldHead)) // the client may be gone already
			}
			h.held.Add(1)
		}
	}
	<-h.free
	if !h.partial {
		_, _ = c.Write([]byte(heldWhole)) // the client may be gone already
	}
	// Hold the connection until the client closes it: a close here would
	// end a close-delimited body.
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = c.Read(buf)
}
