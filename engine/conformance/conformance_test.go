// Package conformance runs the same plans against every I/O mode and
// compares what each counted with what the built-in target served. It is
// test-only: it imports every engine, which no other engine package may.
package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/goroutine"
	"github.com/nowait/nowait/engine/reactor"
	"github.com/nowait/nowait/engine/threaded"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// mode is one engine under test.
type mode struct {
	name       string
	new        func() engine.Engine
	pipeline   bool // can pipeline requests
	exactBytes bool // writes the plan's encoded requests, byte for byte

	// Where the modes' https really differs (tls_test.go):
	//
	// handshakeTimeout is what the first connect error of a handshake
	// that ran out of the connect timeout ends with.
	handshakeTimeout string
}

var modes = []mode{
	{
		name: "async", new: func() engine.Engine { return reactor.New() }, pipeline: true, exactBytes: true,
		handshakeTimeout: "TLS handshake: no answer within 300ms",
	},
	{
		name: "sync", new: func() engine.Engine { return threaded.New() }, pipeline: true, exactBytes: true,
		handshakeTimeout: ": tls handshake: i/o timeout",
	},
	{
		name: "goroutine", new: func() engine.Engine { return goroutine.New() }, pipeline: true, exactBytes: true,
		handshakeTimeout: ": context deadline exceeded",
	},
}

// cell is one plan run against a fresh target, with what to check.
type cell struct {
	name   string
	target target.Config
	plan   func(p *engine.Plan)
	check  func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64)
	closed bool // run against an address nothing listens on; not run over TLS
	// soft, when set, checks bounds that only a loaded machine misses:
	// the cell is then run up to three times until they hold (see
	// enginetest.Tries); check must hold in every try.
	soft func(res *stats.Result) (miss string)
}

var cells = []cell{
	{
		name: "n5000_c20_exact",
		plan: func(p *engine.Plan) { p.Connections, p.MaxRequests = 20, 5000 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 5000)
			if res.Status[200] != 5000 {
				t.Errorf("200s %d, want 5000", res.Status[200])
			}
			if res.BytesIn < 5000*target.DefaultBodySize {
				t.Errorf("bytes in %d, want at least %d", res.BytesIn, 5000*target.DefaultBodySize)
			}
			plain := uint64(5000 * len(p.Requests[0].Raw))
			switch {
			case overTLS(p) && res.BytesOut <= plain:
				// TLS records (and the handshakes) are bigger than the
				// plain requests they carry.
				t.Errorf("bytes out %d for 5000 requests of %d bytes: not TLS records", res.BytesOut, len(p.Requests[0].Raw))
			case !overTLS(p) && m.exactBytes && res.BytesOut != plain:
				t.Errorf("bytes out %d, want %d", res.BytesOut, plain)
			}
			if overTLS(p) {
				checkCountedConnects(t, res, 20)
			} else if res.Connects != 20 || res.PeakOpenConns != 20 {
				t.Errorf("connects %d, peak open %d; want 20", res.Connects, res.PeakOpenConns)
			}
			if res.Connect.TotalCount() != int64(res.Connects) {
				t.Errorf("%d connect times for %d connects", res.Connect.TotalCount(), res.Connects)
			}
		},
	},
	{
		name: "d1s_within_in_flight",
		plan: func(p *engine.Plan) { p.Connections, p.Duration = 10, time.Second },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			if res.Responses < 100 || res.ErrorTotal() != 0 {
				t.Errorf("responses %d errors %d; want many responses and no error", res.Responses, res.ErrorTotal())
			}
			if served < res.Responses || served > res.Responses+res.InFlightAtEnd {
				t.Errorf("served %d, counted %d with %d in flight at the end", served, res.Responses, res.InFlightAtEnd)
			}
			if res.Requests != res.Responses+res.InFlightAtEnd {
				t.Errorf("requests %d != responses %d + in flight %d", res.Requests, res.Responses, res.InFlightAtEnd)
			}
			// The machine is shared and noisy: a timer may fire late.
			if res.Elapsed < time.Second || res.Elapsed > 3*time.Second {
				t.Errorf("elapsed %s, want about 1s", res.Elapsed)
			}
			if n, want := len(res.Intervals), int((res.Elapsed+time.Second-1)/time.Second); n != want {
				t.Errorf("%d intervals in %s, want %d", n, res.Elapsed, want)
			}
		},
	},
	{
		name:   "delay5ms_p50",
		target: target.Config{Delay: 5 * time.Millisecond},
		plan:   func(p *engine.Plan) { p.Connections, p.MaxRequests = 10, 1000 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 1000)
			// Never under the delay; how close above it, TestDelayInTheMedian.
			if p50 := time.Duration(res.Latency.ValueAtQuantile(50)) * time.Microsecond; p50 < 5*time.Millisecond {
				t.Errorf("p50 %s under the 5 ms delay", p50)
			}
		},
	},
	{
		name:   "close_after_1",
		target: target.Config{CloseAfter: 1},
		plan:   func(p *engine.Plan) { p.Connections, p.MaxRequests = 10, 1000 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 1000)
			if res.Status[200] != 1000 {
				t.Errorf("200s %d, want 1000", res.Status[200])
			}
			if res.Connects < 1000 {
				t.Errorf("connects %d, want one per response (1000)", res.Connects)
			}
			// Open at once, not connects: at most one per connection.
			if res.PeakOpenConns < 1 || res.PeakOpenConns > p.Connections {
				t.Errorf("peak open %d with %d connections", res.PeakOpenConns, p.Connections)
			}
		},
	},
	{
		name: "pipeline4",
		plan: func(p *engine.Plan) { p.Connections, p.MaxRequests, p.Pipeline = 10, 4000, 4 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 4000)
		},
	},
	{
		// The target closes each connection after 10 responses: the
		// requests pipelined behind the response that says so were never
		// processed, and go again on the next connection, in every mode.
		name:   "pipeline4_close_after_10",
		target: target.Config{CloseAfter: 10},
		plan:   func(p *engine.Plan) { p.Connections, p.MaxRequests, p.Pipeline = 10, 4000, 4 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 4000)
			if res.Resent == 0 || res.Connects < 400 {
				t.Errorf("resent %d, connects %d; want requests sent again over 400 connections", res.Resent, res.Connects)
			}
		},
	},
	{
		// A timed run, pipelined: the target served every response and at
		// most the requests in flight at the end, on one connection each.
		name: "pipeline8_d500ms",
		plan: func(p *engine.Plan) { p.Connections, p.Duration, p.Pipeline = 4, 500*time.Millisecond, 8 },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			if res.Responses == 0 || res.Status[200] != res.Responses || res.ErrorTotal() != 0 {
				t.Errorf("responses %d, 200s %d, errors %v; want responses, all 200, no error", res.Responses, res.Status[200], res.Errors)
			}
			if served < res.Responses || served > res.Responses+res.InFlightAtEnd {
				t.Errorf("served %d, counted %d with %d in flight at the end", served, res.Responses, res.InFlightAtEnd)
			}
			if res.Connects != 4 || res.Connect.TotalCount() != 4 || res.OpenConnsAtEnd != 4 {
				t.Errorf("connects %d (%d timed), open at end %d; want 4 each", res.Connects, res.Connect.TotalCount(), res.OpenConnsAtEnd)
			}
		},
	},
	{
		// The open model sends what is due, 1000 in the second, and the
		// target served what the client counted.
		name: "open_r1000_c20",
		plan: func(p *engine.Plan) {
			p.Model, p.RatePerSec, p.Connections, p.Duration = engine.ModelOpen, 1000, 20, time.Second
		},
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			t.Logf("responses %d, in flight %d, served %d, dropped %d, connects %d, errors %v",
				res.Responses, res.InFlightAtEnd, served, res.Dropped, res.Connects, res.Errors)
			if served < res.Responses || served > res.Responses+res.InFlightAtEnd || res.ErrorTotal() != 0 || res.Connects != 20 {
				t.Errorf("served %d, counted %d + %d in flight, connects %d, errors %v", served, res.Responses, res.InFlightAtEnd, res.Connects, res.Errors)
			}
			if res.Requests != res.Responses+res.InFlightAtEnd {
				t.Errorf("requests %d, responses %d, in flight %d", res.Requests, res.Responses, res.InFlightAtEnd)
			}
			if n := res.Requests + res.Dropped; n < 995 || n > 1002 {
				t.Errorf("sent %d + dropped %d; want the 1000 due", res.Requests, res.Dropped)
			}
			if overTLS(p) && res.BytesOut <= res.Requests*uint64(len(p.Requests[0].Raw)) {
				t.Errorf("bytes out %d for %d requests: not TLS records", res.BytesOut, res.Requests)
			}
		},
		soft: func(res *stats.Result) string {
			if res.Responses < 980 || res.Dropped > 10 {
				return fmt.Sprintf("%d responses, %d dropped at 1000/s for 1 s; want at least 980 and at most 10", res.Responses, res.Dropped)
			}
			return ""
		},
	},
	{
		name: "post_body_headers_status",
		plan: func(p *engine.Plan) {
			p.Connections, p.MaxRequests = 5, 500
			r := &p.Requests[0]
			r.Method, r.URI, r.Body = "POST", "/status/503", []byte("0123456789abcdef")
			r.Headers = []engine.Header{{Name: "X-Test", Value: "1"}}
			r.Raw = wire.EncodeRequest(r.Method, r.URI, r.Host, []wire.Header{{Name: "X-Test", Value: "1"}}, r.Body)
		},
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			exact(t, res, served, 500)
			if res.Status[503] != 500 {
				t.Errorf("503s %d, want 500", res.Status[503])
			}
			if res.BytesOut < 500*uint64(len(p.Requests[0].Raw)) {
				t.Errorf("bytes out %d, want at least %d", res.BytesOut, 500*len(p.Requests[0].Raw))
			}
		},
	},
	{
		name:   "timeout_counted",
		target: target.Config{Delay: 300 * time.Millisecond},
		plan: func(p *engine.Plan) {
			p.Connections, p.Duration, p.Timeout = 4, 600*time.Millisecond, 50*time.Millisecond
		},
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			timeouts := res.Errors[stats.ErrTimeout]
			if res.Responses != 0 || timeouts < 4 || timeouts != res.ErrorTotal() {
				t.Errorf("responses %d, errors %v; want no response, and request timeouts only, at least one per connection",
					res.Responses, res.Errors)
			}
			// Each timeout on a connection that was open (over TLS: whose
			// handshake had ended, and the request timeout ruled).
			if res.Connects < timeouts {
				t.Errorf("connects %d for %d timeouts; want each timeout on its own connection", res.Connects, timeouts)
			}
		},
	},
	{
		name: "warmup_excluded",
		plan: func(p *engine.Plan) {
			p.Connections, p.Warmup, p.Duration = 4, 300*time.Millisecond, 500*time.Millisecond
		},
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			if res.WarmupCounters.Responses == 0 || res.Responses == 0 {
				t.Errorf("warm-up responses %d, measured %d; want both", res.WarmupCounters.Responses, res.Responses)
			}
			counted := res.WarmupCounters.Responses + res.Responses
			if served < counted || served > counted+res.InFlightAtEnd {
				t.Errorf("served %d, counted %d+%d with %d in flight",
					served, res.WarmupCounters.Responses, res.Responses, res.InFlightAtEnd)
			}
			if res.Elapsed < 500*time.Millisecond || res.Elapsed > 2*time.Second {
				t.Errorf("elapsed %s, want the measured 500ms", res.Elapsed)
			}
			var inIntervals uint64
			for _, iv := range res.Intervals {
				inIntervals += iv.Responses
			}
			if inIntervals != res.Responses {
				t.Errorf("intervals hold %d responses, the run %d", inIntervals, res.Responses)
			}
		},
	},
	{
		name:   "nothing_listening",
		closed: true,
		plan:   func(p *engine.Plan) { p.Connections, p.Duration = 5, 300*time.Millisecond },
		check: func(t *testing.T, m mode, p *engine.Plan, res *stats.Result, served uint64) {
			if res.Responses != 0 || res.Connects != 0 || res.Errors[stats.ErrConnectRefused] < 5 {
				t.Errorf("responses %d connects %d refused %d; want 0, 0 and at least 5",
					res.Responses, res.Connects, res.Errors[stats.ErrConnectRefused])
			}
			if want := "connect " + p.Addrs[0].String() + ": connection refused"; res.FirstConnectErr != want {
				t.Errorf("FirstConnectErr %q, want %q: every mode says it alike", res.FirstConnectErr, want)
			}
		},
	},
}

// exact checks that every request of a counted run was answered once.
func exact(t *testing.T, res *stats.Result, served, n uint64) {
	t.Helper()
	if res.Responses != n || served != n || res.Requests != n || res.ErrorTotal() != 0 {
		t.Errorf("responses %d, served %d, requests %d, errors %v; want %d, %d, %d, none",
			res.Responses, served, res.Requests, res.Errors, n, n, n)
	}
	if res.InFlightAtEnd != 0 {
		t.Errorf("%d in flight at the end of a counted run", res.InFlightAtEnd)
	}
}

func TestConformance(t *testing.T) {
	// Open the runtime's netpoller (its epoll fd and eventfd) before the
	// first snapshot, so that it does not show as an fd leak of the first
	// cell.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, c := range cells {
				t.Run(c.name, func(t *testing.T) { runCell(t, m, c, false) })
			}
		})
	}
}

func runCell(t *testing.T, m mode, c cell, https bool) {
	if strings.HasPrefix(c.name, "pipeline") && !m.pipeline {
		t.Skipf("%s mode does not pipeline", m.name)
	}
	if c.soft == nil {
		runCellOnce(t, m, c, https)
		return
	}
	enginetest.Tries(t, 3, func(int) string { return c.soft(runCellOnce(t, m, c, https)) })
}

// runCellOnce runs c in mode m against a fresh target, over TLS when https
// is set, checks it, and returns its result.
func runCellOnce(t *testing.T, m mode, c cell, https bool) *stats.Result {
	t.Helper()
	refusing := ""
	if c.closed {
		refusing = closedAddr(t) // its socket stays open to the end of the test: before the snapshot
	}
	before := snapshot()
	cfg := c.target
	cfg.TLS = https
	srv, err := target.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	if c.closed {
		addr = refusing
	}
	p := enginetest.Plan(addr)
	if https {
		p = httpsPlan(addr, srv.Certificate())
	}
	c.plan(p)
	// A hang, not a slow cell: the cells last 1-2 s on a quiet machine.
	// Over TLS every connect is a handshake, and the race detector slows
	// crypto down: close_after_1's 1,000 handshakes took 5.5 s alone under
	// -race and 8.7 s on a busy machine.
	hang := 8 * time.Second
	if https {
		hang = 25 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang+2*time.Second)
	defer cancel()
	start := time.Now()
	res, err := engine.Execute(ctx, m.new(), p)
	took := time.Since(start)
	if err != nil {
		srv.Close()
		t.Fatalf("run: %v", err)
	}
	served := closeTarget(t, srv)
	if res.Mode != m.name {
		t.Errorf("mode %q, want %q", res.Mode, m.name)
	}
	c.check(t, m, p, res, served)
	if took > hang {
		t.Errorf("cell took %s", took)
	}
	checkNoLeak(t, before, m.name == "sync")
	return res
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string { return enginetest.RefusingAddr(t) }

// settle waits until the target has no connection left, so that what it
// served is final.
// closeTarget waits for srv to see the client's connections closed, then
// closes it and returns how many requests it served.
func closeTarget(t *testing.T, srv *target.Server) uint64 {
	t.Helper()
	settle(srv)
	served := srv.Served()
	if err := srv.Close(); err != nil {
		t.Errorf("target close: %v", err)
	}
	return served
}

func settle(srv *target.Server) {
	for deadline := time.Now().Add(2 * time.Second); srv.OpenConns() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// usage is what a run could leak.
type usage struct{ fds, goroutines, threads int }

func snapshot() usage {
	ents, _ := os.ReadDir("/proc/self/fd")
	return usage{fds: len(ents), goroutines: goroutines(), threads: stats.ThreadCount()}
}

// goroutines counts the goroutines alive, less the target's: fasthttp's
// server leaves its worker-pool cleaner asleep for up to 10 s after
// Shutdown, and starts its date updater, for good, with the first
// response that needs a date (an error response, say): the target's
// business, not the engine's.
func goroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if len(g) > 0 && !bytes.Contains(g, []byte("fasthttp.(*workerPool)")) && !bytes.Contains(g, []byte("fasthttp.updateServerDate")) {
			count++
		}
	}
	return count
}

// checkNoLeak waits up to 2 s for fds and goroutines to come back to what
// they were before the cell and, for the sync mode, whose threads end with
// their connections, threads to within the runtime's slack. (Other modes
// leave the Go runtime's idle threads, which it keeps for reuse.) It
// returns the usage it saw last.
func checkNoLeak(t *testing.T, before usage, threads bool) usage {
	t.Helper()
	var now usage
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		now = snapshot()
		if now.fds <= before.fds && now.goroutines <= before.goroutines && (!threads || now.threads <= before.threads+8) {
			return now
		}
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	t.Errorf("leak: fds %d -> %d, goroutines %d -> %d, threads %d -> %d\n%s",
		before.fds, now.fds, before.goroutines, now.goroutines, before.threads, now.threads, buf)
	return now
}
