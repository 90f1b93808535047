package conformance

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// serialMatrix runs the fault matrix one cell at a time and checks each
// cell for leaks (fds, goroutines) on its own; by default cells run in
// parallel and the leak check is TestNoLeakAfterFaults'.
var serialMatrix = flag.Bool("matrix.serial", false, "run the fault matrix serially, checking every cell for leaks")

// Bounds of one matrix cell: a short run with a short timeout, so that a
// hung request is failed (and its connection replaced) a few times.
const (
	cellDuration = 500 * time.Millisecond
	cellTimeout  = 400 * time.Millisecond
	cellConns    = 8
	// cellSlack is what a cell may take past its duration and timeout on a
	// shared, noisy machine under -race before it counts as a hang.
	cellSlack = 1500 * time.Millisecond
	// openRate and the cell's duration set the open-model rows' schedule.
	openRate = 2000
)

// faultRow is one fault (or mix) of the target, with the failure kinds a
// client must count for it.
type faultRow struct {
	name   string
	target target.Config
	// want lists request-failure kinds of which at least one must be
	// counted; empty means the fault must fail no request.
	want []stats.ErrorKind
	// also lists further request-failure kinds the fault may cause.
	also []stats.ErrorKind
	// connect lists the connect-failure kinds the fault must cause (at
	// least one counted); none may be counted when it is empty.
	connect []stats.ErrorKind
	// keepsConns says the fault never closes a connection, so none need
	// replacing.
	keepsConns bool
	// silent says the target answers nothing at all.
	silent bool
	// timeout, when set, replaces cellTimeout.
	timeout time.Duration
	check   func(t *testing.T, res *stats.Result)
}

func pct(kind target.FaultKind, p float64) target.Fault { return target.Fault{Kind: kind, Percent: p} }

var faultRows = []faultRow{
	{
		name:   "reset",
		target: target.Config{Faults: []target.Fault{pct(target.FaultReset, 20)}},
		// The RST may come before or after the client saw the half body's
		// bytes; after them, a read may see the close first.
		want: []stats.ErrorKind{stats.ErrReset, stats.ErrRead},
	},
	{
		name:   "close_after_3",
		target: target.Config{CloseAfter: 3},
		check: func(t *testing.T, res *stats.Result) {
			if res.Responses > 3*res.Connects {
				t.Errorf("%d responses on %d connections; the target closes each after 3", res.Responses, res.Connects)
			}
		},
	},
	{
		name:   "close_20pct",
		target: target.Config{Faults: []target.Fault{pct(target.FaultClose, 20)}},
	},
	{
		name:   "garbage",
		target: target.Config{Faults: []target.Fault{pct(target.FaultGarbage, 20)}},
		want:   []stats.ErrorKind{stats.ErrBadResponse},
	},
	{
		name:   "big_header",
		target: target.Config{Faults: []target.Fault{pct(target.FaultBigHeader, 20)}, HeaderSize: 64 << 10},
		want:   []stats.ErrorKind{stats.ErrHeaderTooLarge},
	},
	{
		name:   "short_body",
		target: target.Config{Faults: []target.Fault{pct(target.FaultShortBody, 20)}},
		want:   []stats.ErrorKind{stats.ErrRead},
	},
	{
		// About 100 bytes at 5 ms each: every dripped response outlasts
		// the timeout, though bytes keep coming. The timeout is 200 ms so
		// that a drip begun up to 300 ms in times out before the end (with
		// the cell's 400 ms, one had to begin in the first 100 ms, and a
		// busy machine once ran a cell with 7 drips in flight and none).
		name:    "drip_slow",
		target:  target.Config{Faults: []target.Fault{pct(target.FaultDrip, 20)}, DripEvery: 5 * time.Millisecond},
		timeout: 200 * time.Millisecond,
		want:    []stats.ErrorKind{stats.ErrTimeout},
	},
	{
		// About 100 bytes at 0.5 ms each: within the timeout, then close.
		name:   "drip_fast",
		target: target.Config{Faults: []target.Fault{pct(target.FaultDrip, 5)}, DripEvery: 500 * time.Microsecond},
		also:   []stats.ErrorKind{stats.ErrTimeout}, // a sleep on a busy machine can stretch past it
	},
	{
		name:   "hang",
		target: target.Config{Faults: []target.Fault{pct(target.FaultHang, 20)}},
		want:   []stats.ErrorKind{stats.ErrTimeout},
	},
	{
		// Every request hangs and the timeout is longer than the run: the
		// run must still stop at its duration, every request in flight.
		name:       "hang_all",
		target:     target.Config{Faults: []target.Fault{pct(target.FaultHang, 100)}},
		timeout:    5 * time.Second,
		keepsConns: true,
		silent:     true,
		check: func(t *testing.T, res *stats.Result) {
			if res.InFlightAtEnd != cellConns || res.Requests != cellConns {
				t.Errorf("requests %d, in flight at the end %d; want one per connection (%d)",
					res.Requests, res.InFlightAtEnd, cellConns)
			}
		},
	},
	{
		name:       "5xx",
		target:     target.Config{Faults: []target.Fault{pct(target.Fault500, 10), pct(target.Fault503, 10)}},
		keepsConns: true,
		check: func(t *testing.T, res *stats.Result) {
			if res.Status[500] == 0 || res.Status[503] == 0 || res.Status[200] == 0 {
				t.Errorf("status 200 %d, 500 %d, 503 %d; want some of each", res.Status[200], res.Status[500], res.Status[503])
			}
		},
	},
	{
		// The target stops listening 150 ms in every 300 ms; closing each
		// connection after 2 responses makes the clients reconnect into
		// the refusals. Connections the kernel had queued but the target
		// never accepted are reset when the listening socket closes: a
		// connect caught mid-handshake fails with ECONNRESET (counted as
		// connect_error), a request on one just established is reset.
		name:    "refuse",
		target:  target.Config{Refuse: 150 * time.Millisecond, RefuseEvery: 300 * time.Millisecond, CloseAfter: 2},
		connect: []stats.ErrorKind{stats.ErrConnectRefused},
		also:    []stats.ErrorKind{stats.ErrConnect, stats.ErrReset, stats.ErrRead},
	},
	{
		name: "mix",
		target: target.Config{
			Faults: []target.Fault{
				pct(target.FaultReset, 5), pct(target.FaultClose, 5), pct(target.FaultGarbage, 5),
				pct(target.FaultBigHeader, 5), pct(target.FaultShortBody, 5), pct(target.FaultDrip, 2),
				pct(target.FaultHang, 3), pct(target.Fault500, 5), pct(target.Fault503, 5),
			},
			CloseAfter: 50,
			Refuse:     100 * time.Millisecond, RefuseEvery: 300 * time.Millisecond,
		},
		want: []stats.ErrorKind{stats.ErrReset, stats.ErrRead, stats.ErrBadResponse, stats.ErrHeaderTooLarge, stats.ErrTimeout},
		// Refusals may or may not catch a reconnect: connect errors are
		// allowed, not required (see the refuse row).
		also: []stats.ErrorKind{stats.ErrConnectRefused, stats.ErrConnect},
	},
}

// openRow is the open-model row, run in every mode: hangs hold
// connections past the time their next requests are due.
var openRow = faultRow{
	name:   "open_hang_reset",
	target: target.Config{Faults: []target.Fault{pct(target.FaultHang, 5), pct(target.FaultReset, 5)}},
	// A hang that starts late in the run times out after its end.
	want: []stats.ErrorKind{stats.ErrTimeout, stats.ErrReset, stats.ErrRead},
}

// openRefuseRow is the second open-model row: at a rate that leaves
// connections idle between requests, refusals reset connections the
// kernel had queued, some before any request went out on them.
var openRefuseRow = faultRow{
	name:    "open_refuse",
	target:  target.Config{Refuse: 100 * time.Millisecond, RefuseEvery: 200 * time.Millisecond, CloseAfter: 2},
	connect: []stats.ErrorKind{stats.ErrConnectRefused},
	also:    []stats.ErrorKind{stats.ErrConnect, stats.ErrReset, stats.ErrRead},
}

// holdRow is the hold-model row: connections held, each sending one
// request every holdEvery, while the target hangs, resets, closes, fails
// and refuses.
var holdRow = faultRow{
	name: "hold_faults",
	target: target.Config{
		Faults: []target.Fault{pct(target.FaultHang, 10), pct(target.FaultReset, 10),
			pct(target.FaultClose, 10), pct(target.Fault503, 10)},
		Refuse: 100 * time.Millisecond, RefuseEvery: 300 * time.Millisecond,
	},
	want: []stats.ErrorKind{stats.ErrTimeout, stats.ErrReset, stats.ErrRead},
	also: []stats.ErrorKind{stats.ErrConnectRefused, stats.ErrConnect},
}

// setModel puts p in model m, at the rate (open) or request interval
// (hold) the matrix and the leak checks run each model at.
func setModel(p *engine.Plan, m engine.Model) {
	p.Model, p.RatePerSec, p.HoldEvery = m, 0, 0
	switch m {
	case engine.ModelOpen:
		p.RatePerSec = openRate
	case engine.ModelHold:
		p.HoldEvery = holdEvery
	}
}

// holdEvery is how often each held connection sends a request.
const holdEvery = 20 * time.Millisecond

// matrixCell is one fault in one mode and load model.
type matrixCell struct {
	mode  mode
	row   faultRow
	model engine.Model // "" is the closed model
}

func (c matrixCell) name() string {
	return c.mode.name + "/" + string(c.model.OrDefault()) + "/" + c.row.name
}

// TestFaultMatrix runs every mode against every fault of the target,
// closed model, plus two open-model rows and a hold-model row per mode,
// and checks each run:
// it ends on time, counts every failure under its kind, replaces the
// connections faults close, and its counts balance exactly:
//
//	requests sent = responses + request failures + in flight at the end
//
// Connect failures are not request failures: no request was written.
func TestFaultMatrix(t *testing.T) {
	warmNetpoller()
	var cells []matrixCell
	for _, m := range modes {
		for _, r := range faultRows {
			cells = append(cells, matrixCell{mode: m, row: r})
		}
		cells = append(cells, matrixCell{mode: m, row: openRow, model: engine.ModelOpen},
			matrixCell{mode: m, row: openRefuseRow, model: engine.ModelOpen},
			matrixCell{mode: m, row: holdRow, model: engine.ModelHold})
	}
	for _, c := range cells {
		t.Run(c.name(), func(t *testing.T) {
			if !*serialMatrix {
				t.Parallel()
			}
			runFaultCell(t, c)
		})
	}
}

// warmNetpoller opens the runtime's netpoller (its epoll fd and eventfd)
// so that it does not show as an fd leak of the first run.
func warmNetpoller() {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err == nil {
		_ = srv.Close()
	}
}

func runFaultCell(t *testing.T, c matrixCell) {
	var before usage
	if *serialMatrix {
		before = snapshot()
	}
	srv, err := target.Start("127.0.0.1:0", c.row.target)
	if err != nil {
		t.Fatal(err)
	}
	p := enginetest.Plan(srv.Addr())
	p.Connections, p.Duration, p.Timeout, p.ConnectTimeout = cellConns, cellDuration, cellTimeout, time.Second
	if c.row.timeout > 0 {
		p.Timeout = c.row.timeout
	}
	setModel(p, c.model)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	res, err := engine.Execute(ctx, c.mode.new(), p)
	took := time.Since(start)
	if err != nil {
		srv.Close()
		t.Fatalf("run: %v", err)
	}
	served := closeTarget(t, srv)
	given, ran := faultsRun(srv.Stats())
	slowFaults := given > 0 && ran < 2 // see checkCommon
	if bound := cellDuration + min(p.Timeout, cellTimeout) + cellSlack; took > bound {
		t.Errorf("run took %s, more than its duration and timeout (bound %s)", took, bound)
	}
	balanced := checkBalance(t, res)
	checkKinds(t, c.row, res)
	checkCommon(t, c, res, served, slowFaults)
	if c.model == engine.ModelOpen {
		checkOpen(t, p, res)
	}
	if c.row.check != nil {
		c.row.check(t, res)
	}
	line := fmt.Sprintf("%-40s requests %5d responses %5d failures %-44s connects %4d in flight %d faults run %d of %d balanced %v",
		c.name(), res.Requests, res.Responses, kindsText(res), res.Connects, res.InFlightAtEnd, ran, given, yesNo(balanced))
	if *serialMatrix {
		after := checkNoLeak(t, before, c.mode.name == "sync")
		line += fmt.Sprintf(" fds %d->%d goroutines %d->%d", before.fds, after.fds, before.goroutines, after.goroutines)
	}
	t.Log(line)
}

// faultsRun counts the faults the target gave, and those of them that ran
// their course, not cut short by the client's close or the target's.
func faultsRun(st target.Stats) (given, ran uint64) {
	for _, n := range st.Faults {
		given += n
	}
	return given, given - min(st.Aborted, given)
}

// checkBalance checks that every request sent is accounted for once.
func checkBalance(t *testing.T, res *stats.Result) bool {
	t.Helper()
	failed := res.RequestErrors()
	if res.Requests != res.Responses+failed+res.InFlightAtEnd {
		t.Errorf("unbalanced: requests %d != responses %d + request failures %d + in flight %d (off by %d)",
			res.Requests, res.Responses, failed, res.InFlightAtEnd,
			int64(res.Requests)-int64(res.Responses+failed+res.InFlightAtEnd))
		return false
	}
	return true
}

// checkKinds checks that the failures counted are those the fault causes.
func checkKinds(t *testing.T, row faultRow, res *stats.Result) {
	t.Helper()
	allowed := slices.Concat(row.want, row.also, row.connect)
	var wanted uint64
	for k := range stats.NumErrorKinds {
		n := res.Errors[k]
		if slices.Contains(row.want, k) {
			wanted += n
		}
		if n > 0 && !slices.Contains(allowed, k) {
			t.Errorf("%d failures counted as %s, which %s does not cause", n, k, row.name)
		}
	}
	if len(row.want) > 0 && wanted == 0 {
		t.Errorf("no failure counted as any of %v", row.want)
	}
	for _, k := range row.connect {
		if res.Errors[k] == 0 {
			t.Errorf("no connect failure counted as %s", k)
		}
	}
}

// checkCommon checks what every faulty run must show: answers, replaced
// connections, no more in flight or open than the plan allows, and no
// response the target did not send.
func checkCommon(t *testing.T, c matrixCell, res *stats.Result, served uint64, slowFaults bool) {
	t.Helper()
	if res.Responses == 0 && !c.row.silent {
		t.Error("no response at all")
	}
	// A connection can only be replaced once its fault has run its
	// course. When every connection was still inside a slow fault at the
	// stop (a drip on a loaded machine), none may have been yet; nor when
	// the target's faults ran their course fewer than twice (the last may
	// end at the stop): a fresh-clone CI run saw 155 requests, 7 drips in
	// flight at the stop and one timed out at it, and 8 connects.
	allStuck := res.InFlightAtEnd == cellConns
	if !c.row.keepsConns && res.Connects <= cellConns && !allStuck && !slowFaults {
		t.Errorf("connects %d: the fault closes connections, want them replaced (more than %d)", res.Connects, cellConns)
	}
	if res.Responses > served {
		t.Errorf("counted %d responses, the target served %d", res.Responses, served)
	}
	if res.InFlightAtEnd > cellConns || res.OpenConnsAtEnd > cellConns {
		t.Errorf("in flight %d, open %d at the end; at most %d each", res.InFlightAtEnd, res.OpenConnsAtEnd, cellConns)
	}
	if res.Latency.TotalCount() != int64(res.Responses) {
		t.Errorf("latency histogram holds %d, responses %d", res.Latency.TotalCount(), res.Responses)
	}
}

// checkOpen checks the open model kept its schedule: every request due
// before the end was either sent or counted as dropped, and requests held
// up behind hung connections show their wait in the latency, which counts
// from when each was due.
func checkOpen(t *testing.T, p *engine.Plan, res *stats.Result) {
	t.Helper()
	sched := engine.NewSchedule(p.RatePerSec, p.Stages)
	due := uint64(engine.FirstAt(&sched, int64(p.Duration)))
	if res.Requests+res.Dropped != due {
		t.Errorf("requests %d + dropped %d = %d, want the %d due in %s at %g/s",
			res.Requests, res.Dropped, res.Requests+res.Dropped, due, p.Duration, p.RatePerSec)
	}
	lat := time.Duration(res.Latency.Max()) * time.Microsecond
	svc := time.Duration(res.Service.Max()) * time.Microsecond
	// Unless every connection hung before any request waiting behind them
	// got out: then those are dropped, not late (a busy run once hung all
	// 8 after 96 requests, the timeouts due after the end).
	allHung := res.InFlightAtEnd == cellConns && res.Dropped > 0 && res.Errors[stats.ErrTimeout] == 0
	if (lat < 50*time.Millisecond && !allHung) || lat < svc {
		t.Errorf("latency max %s, service max %s: want the wait behind hung connections (tens of ms) counted", lat, svc)
	}
}

// kindsText lists the non-zero failure counts, such as "reset 3 timeout 2".
func kindsText(res *stats.Result) string {
	var parts []string
	for k := range stats.NumErrorKinds {
		if n := res.Errors[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
