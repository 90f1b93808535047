package conformance

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/internal/testchild"
	"github.com/nowait/nowait/stats"
)

// envIdler starts TestHelperIdler as the child of TestCloseJustBeforeDue.
const envIdler = "NOWAIT_IDLER_CHILD"

// TestHelperIdler is the child process of TestCloseJustBeforeDue: an
// idler (idle_test.go) whose idle time is the first line of its standard
// input. It prints "listening ADDR", then "closed N" for each further
// line, and ends when its standard input closes. Out of the parent's
// process, its closes keep their time whatever the parent's scheduler
// does.
func TestHelperIdler(t *testing.T) {
	if !testchild.Enabled(envIdler) {
		t.Skip("the child process of TestCloseJustBeforeDue")
	}
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		t.Fatal("no idle time on the standard input")
	}
	idle, err := time.ParseDuration(in.Text())
	if err != nil {
		t.Fatal(err)
	}
	srv := &idler{idle: idle}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveEach(t, ln, srv.serve)
	fmt.Println("listening " + ln.Addr().String())
	for in.Scan() {
		fmt.Printf("closed %d\n", srv.closed.Load())
	}
}

// TestCloseJustBeforeDue: a server closes each idle connection a few
// milliseconds before its next request is due, on a loaded machine, in
// the hold model's requests and the open model. The request goes out on
// a new connection and the close is no error, in every mode. The load:
// GOMAXPROCS 1 and a goroutine that spins and yields every 1 to 5 ms
// (stall). The server runs in a child process.
//
// Each connection's requests are 100 ms apart; the server closes it 88 ms
// after each response, which the load writes a few ms late: 12 ms or less
// before the next is due. A mode that writes a request when its due time
// has passed without reading what came before writes it into the closed
// connection, and fails it. Goroutine mode's hold did so for 1 to 13 of
// 44 to 48 closes in each of nine tries, with no request written more
// than 4 to 9 ms late (Go reports a passed read deadline without
// reading); its open model, on fasthttp's HostClient, and sync's open
// model, sleeping without watching the socket, for every close.
func TestCloseJustBeforeDue(t *testing.T) {
	const every, early = 100 * time.Millisecond, 12 * time.Millisecond
	stdin, out := testchild.Start(t, "TestHelperIdler", envIdler, 2*time.Minute)
	fmt.Fprintln(stdin, every-early)
	addr := testchild.Line(t, out, "listening ")
	closed := func() int64 {
		fmt.Fprintln(stdin)
		var n int64
		if _, err := fmt.Sscan(testchild.Line(t, out, "closed "), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		name  string
		conns int
		plan  func(p *engine.Plan)
	}{
		{"hold_every", 8, func(p *engine.Plan) { p.Model, p.HoldEvery = engine.ModelHold, every }},
		// Two connections at 20/s: tickets 50 ms apart, so that a
		// connection freed late by the load still takes the next but one,
		// due 100 ms after its last, and not the next.
		{"open", 2, func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 2/every.Seconds() }},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				enginetest.Tries(t, 3, func(int) string {
					before := closed()
					stop := stall()
					p := enginetest.Plan(addr)
					p.Connections, p.Duration = tc.conns, 1500*time.Millisecond
					tc.plan(p)
					res := execute(t, context.Background(), m, p)
					stop()
					n := closed() - before
					t.Logf("server closed %d; client: connects %d, requests %d, responses %d, in flight %d, closed by the server %d, errors %v; send lag p50 %v p99 %v max %v, %d over %v",
						n, res.Connects, res.Requests, res.Responses, res.InFlightAtEnd, res.ServerClosed, res.Errors,
						time.Duration(res.SendLag.ValueAtQuantile(50))*time.Microsecond, time.Duration(res.SendLag.ValueAtQuantile(99))*time.Microsecond,
						time.Duration(res.SendLag.Max())*time.Microsecond, lagsOver(res, early), early)
					if n < int64(2*tc.conns) {
						t.Fatalf("the server closed %d connections, want many", n)
					}
					if res.Requests != res.Responses+res.InFlightAtEnd+res.RequestErrors() {
						t.Fatalf("requests %d != responses %d + in flight %d + failed %d", res.Requests, res.Responses, res.InFlightAtEnd, res.RequestErrors())
					}
					// The load writes some requests later than early (sync's
					// threads most: a locked thread waits its turn for the one
					// P): the close that follows such a request can come
					// after the next is due, and after a mode that looked at
					// the socket when it woke wrote into it. Those are the
					// only failures allowed; the rest came before their due
					// time.
					if late := lagsOver(res, early); res.ErrorTotal() > late {
						return fmt.Sprintf("errors %v for %d closes, %d requests written over %v late; want no more errors than those: each other close came before its request was due",
							res.Errors, n, late, early)
					}
					if p.Model == engine.ModelHold && res.ServerClosed+uint64(tc.conns) < uint64(n) {
						t.Errorf("closed by the server %d, want the %d closes (less those after the end)", res.ServerClosed, n)
					}
					return ""
				})
			})
		}
	}
}

// lagsOver counts the requests of res written more than d after they were
// due.
func lagsOver(res *stats.Result, d time.Duration) uint64 {
	var n int64
	for _, bar := range res.SendLag.Distribution() {
		if time.Duration(bar.From)*time.Microsecond > d {
			n += bar.Count
		}
	}
	return uint64(n)
}

// stall keeps the one P of GOMAXPROCS(1) busy until stop is called,
// yielding it after a random slice of 1 to 5 ms each time: what else is
// runnable, woken by a timer, the network or a system call's return, waits
// for the next yield. Random, so that the yields do not fall in step with
// the requests (due every 100 ms): in step, with 5 ms slices, a whole run
// of the old goroutine hold came out with none of its requests into a
// closed connection, the next with 24. Slices of 0.5 to 1.5 ms showed
// none.
func stall() (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !done.Load() {
			slice := time.Millisecond + rand.N(4*time.Millisecond)
			for end := time.Now().Add(slice); time.Now().Before(end); {
			}
			runtime.Gosched()
		}
	})
	return func() {
		done.Store(true)
		wg.Wait()
	}
}
