package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

func TestScheduledCountsAWindow(t *testing.T) {
	sched := NewSchedule(2000, nil)
	tests := []struct {
		from, to int64
		want     int64
	}{
		{0, 0, 0},
		{0, 1, 1}, // request 0 is due at 0
		{0, int64(time.Second) - 10, 2000},
		{int64(time.Second) - 10, int64(3*time.Second) - 10, 4000},
		{int64(time.Millisecond) + 10, int64(2*time.Millisecond) + 10, 2},
	}
	for _, tt := range tests {
		if got := Scheduled(&sched, tt.from, tt.to); got != tt.want {
			t.Errorf("scheduled [%d, %d) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestSaturation(t *testing.T) {
	tests := []struct {
		name   string
		in     SatInput
		want   bool
		reason string
	}{
		{"kept the schedule", SatInput{Rate: 1000, Achieved: 995, SendLagP99: 2, LatencyP50: 1, Connections: 10, Pipeline: 1}, false, ""},
		{"no schedule", SatInput{}, false, ""},
		{"too few connections", SatInput{Rate: 1000, Achieved: 100, SendLagP99: 500, LatencyP50: 10, Connections: 1, Pipeline: 1}, true,
			"too few connections for the latency: 1 connection × pipeline 1 at p50 10.0ms hold at most 100 req/s"},
		{"pipelining makes room", SatInput{Rate: 1000, Achieved: 900, SendLagP99: 1, LatencyP50: 10, Connections: 2, Pipeline: 8}, true,
			"generator CPU or target too slow: sends lagged the schedule by p99 1.00ms"},
		{"rate kept but sends late", SatInput{Rate: 1000, Achieved: 1000, SendLagP99: 25, LatencyP50: 1, Connections: 50, Pipeline: 1}, true,
			"generator CPU or target too slow: sends lagged the schedule by p99 25.0ms, though the rate was kept (achieved 1,000 of 1,000 req/s)"},
		{"just under 99%", SatInput{Rate: 1000, Achieved: 989, SendLagP99: 1, LatencyP50: 1, Connections: 50, Pipeline: 1}, true, "generator CPU"},
		{"connect storm", SatInput{Rate: 30000, Achieved: 30000, SendLagP99: 2300, LatencyP50: 0.7, ConnectP99: 2600, Connections: 15000, Pipeline: 1}, true,
			"connections were slow to open (connect p99 2.60s)"},
		{"no connection", SatInput{Rate: 100, NoConnection: true, Connections: 5, Pipeline: 1}, true,
			"no connection could be made, so no request could be sent"},
		{"lag at the limit", SatInput{Rate: 1000, Achieved: 990, SendLagP99: 10, LatencyP50: 1, Connections: 50, Pipeline: 1}, false, ""},
		// A generator short of CPU lags with its connections free, or
		// longer than any response took: no hold explains it.
		{"late sends, short holds", SatInput{Rate: 1000, Achieved: 1000, SendLagP99: 25, LatencyP50: 1, Connections: 50, Pipeline: 1, HeldMs: 5}, true,
			"generator CPU or target too slow"},
		{"lag growing past every hold", SatInput{Rate: 30000, Achieved: 29700, SendLagP99: 2000, LatencyP50: 0.5, Connections: 200, Pipeline: 1, HeldMs: 300}, true,
			"generator CPU or target too slow"},
		// A run that ends in a hold longer than any it measured is not
		// excused: the latency leaves out the requests due meanwhile.
		{"ended in a long hold", SatInput{Rate: 1000, Achieved: 750, SendLagP99: 1, LatencyP50: 0.1, Connections: 50, Pipeline: 1, InFlightAtEnd: 50, Unsent: 5000}, true,
			"the run ended while the target held all 50 connections: the 5,000 requests due meanwhile never went out"},
		{"unsent, connections free", SatInput{Rate: 1000, Achieved: 900, SendLagP99: 1, LatencyP50: 0.1, Connections: 50, Pipeline: 1, HeldMs: 900, InFlightAtEnd: 3, Unsent: 300}, true,
			"generator CPU or target too slow"},
	}
	for _, tt := range tests {
		got := Saturation(tt.in)
		if got.Saturated != tt.want || !strings.HasPrefix(got.Reason, tt.reason) {
			t.Errorf("%s: %+v, want %v %q", tt.name, got, tt.want, tt.reason)
		}
	}
}

// TestSaturationRateKept: a saturated run that sent the requests due,
// late, says so (its latency from the intended send counts the lag, so a
// latency bound that it passes holds); one that left requests unsent, or
// could not connect, does not.
func TestSaturationRateKept(t *testing.T) {
	tests := []struct {
		name string
		in   SatInput
		kept bool
	}{
		{"late sends, rate kept", SatInput{Rate: 1250, Achieved: 1250, SendLagP99: 30, LatencyP50: 0.2, Connections: 200, Pipeline: 1}, true},
		{"too few connections, rate kept", SatInput{Rate: 1000, Achieved: 995, SendLagP99: 40, LatencyP50: 10, Connections: 5, Pipeline: 1}, true},
		{"connect storm, rate kept", SatInput{Rate: 30000, Achieved: 30000, SendLagP99: 2300, LatencyP50: 0.7, ConnectP99: 2600, Connections: 15000, Pipeline: 1}, true},
		{"just under 99%", SatInput{Rate: 1000, Achieved: 989, SendLagP99: 1, LatencyP50: 1, Connections: 50, Pipeline: 1}, false},
		{"too few connections, rate short", SatInput{Rate: 1000, Achieved: 100, SendLagP99: 500, LatencyP50: 10, Connections: 1, Pipeline: 1}, false},
		{"no connection", SatInput{Rate: 100, NoConnection: true, Connections: 5, Pipeline: 1}, false},
		{"ended in a long hold", SatInput{Rate: 1000, Achieved: 750, SendLagP99: 1, LatencyP50: 0.1, Connections: 50, Pipeline: 1, InFlightAtEnd: 50, Unsent: 5000}, false},
	}
	for _, tt := range tests {
		got := Saturation(tt.in)
		if !got.Saturated || got.RateKept != tt.kept {
			t.Errorf("%s: %+v, want saturated with RateKept %v", tt.name, got, tt.kept)
		}
	}
	if got := Saturation(SatInput{Rate: 1000, Achieved: 1000, SendLagP99: 2, Connections: 10, Pipeline: 1}); got.RateKept {
		t.Errorf("a run that kept its schedule: %+v, want no RateKept", got)
	}
}

// TestSaturationOfATargetHoldingEveryConnection: a target that stalls
// holds every connection, and the requests due meanwhile wait for a free
// one. Their latency from the intended send measures the target, so the
// run is not saturated; a note says why the sends were late.
func TestSaturationOfATargetHoldingEveryConnection(t *testing.T) {
	tests := []struct {
		name string
		in   SatInput
		note string
	}{
		// 1000/s over 50 connections, a 1 s stall every 5 s for 7 s
		// (measured: send lag p99 882 ms, 50 held 950 ms or more).
		{"a stall mid-run", SatInput{Rate: 1000, Achieved: 1000, SendLagP99: 882, SendLagMax: 952, LatencyP50: 0.1, Connections: 50, Pipeline: 1, HeldMs: 950},
			"sends waited for a free connection while the target held all 50 connections (50 requests went unanswered for 950.0ms or more; send lag p99 882.0ms)"},
		// 300 ms stalls every second: the run ended 250 ms into one.
		{"and at the end", SatInput{Rate: 1000, Achieved: 920, SendLagP99: 240, LatencyP50: 0.2, Connections: 50, Pipeline: 1, HeldMs: 260, InFlightAtEnd: 50, Unsent: 200},
			"sends waited for a free connection while the target held all 50 connections (50 requests went unanswered for 260.0ms or more; send lag p99 240.0ms): the latency from the intended send counts that wait, the service time does not; the run ended while the target held all 50 connections: the 200 requests due meanwhile never went out"},
		{"only at the end", SatInput{Rate: 1000, Achieved: 950, SendLagP99: 2, LatencyP50: 0.2, Connections: 10, Pipeline: 4, HeldMs: 290, InFlightAtEnd: 40, Unsent: 150},
			"the run ended while the target held all 10 connections × pipeline 4: the 150 requests due meanwhile never went out"},
		{"requests that timed out", SatInput{Rate: 1000, Achieved: 1000, SendLagP99: 480, LatencyP50: 0.2, Connections: 20, Pipeline: 1, HeldMs: 500},
			"sends waited for a free connection while the target held all 20 connections (20 requests went unanswered for 500.0ms or more"},
	}
	for _, tt := range tests {
		got := Saturation(tt.in)
		if got.Saturated || got.Reason != "" || !strings.HasPrefix(got.Note, tt.note) {
			t.Errorf("%s: %+v, want not saturated, noting %q", tt.name, got, tt.note)
		}
	}
}

// TestOpenSaturationReadsTheHoldsFromTheResult: the hold is read from
// the service times (the 50th longest of 50 connections) and counts each
// request that timed out as the timeout.
func TestOpenSaturationReadsTheHoldsFromTheResult(t *testing.T) {
	plan := &Plan{Model: ModelOpen, RatePerSec: 1000, Duration: 7 * time.Second, Connections: 50, Timeout: 2 * time.Second}
	sched := NewSchedule(1000, nil)
	res := stats.NewResult()
	res.Elapsed = 7 * time.Second
	res.Requests, res.Responses, res.Connects = 7000, 7000, 50
	// One 1 s stall: the 50 requests on the connections as it began took
	// 950 ms to 1 s; the 950 due during it waited for them (a send lag of
	// up to 950 ms), then took 0.1 ms.
	for i := range int64(50) {
		_ = res.Service.RecordValue(950_000 + i*1000)
	}
	_ = res.Service.RecordValues(100, 6950)
	for i := range int64(950) {
		_ = res.SendLag.RecordValue(1000 + i*1000)
	}
	_ = res.SendLag.RecordValues(90, 6050)
	got := OpenSaturation(plan, &sched, res)
	if got.Saturated || !strings.Contains(got.Note, "50 requests went unanswered for 950.3ms or more") {
		t.Errorf("a 1 s stall: %+v, want not saturated, 50 held 950 ms", got)
	}
	// Timeouts hold their connection for the whole timeout.
	res.Service.Reset()
	_ = res.Service.RecordValues(100, 6970)
	res.Responses, res.Errors[stats.ErrTimeout] = 6970, 30
	_ = res.Service.RecordValues(1_500_000, 20)
	got = OpenSaturation(plan, &sched, res)
	if got.Saturated || !strings.Contains(got.Note, "50 requests went unanswered for 1.50s or more") {
		t.Errorf("30 timeouts and 20 slow answers: %+v, want not saturated, 50 held 1.50 s", got)
	}
	res.Errors[stats.ErrTimeout] = 50
	got = OpenSaturation(plan, &sched, res)
	if got.Saturated || !strings.Contains(got.Note, "50 requests went unanswered for 2.00s or more") {
		t.Errorf("50 timeouts: %+v, want not saturated, 50 held 2.00 s", got)
	}
}

func TestSaturationEstimatesTheQueue(t *testing.T) {
	// Sends 50 ms late at 2000/s: about 100 requests were waiting.
	got := Saturation(SatInput{Rate: 2000, Achieved: 2000, SendLagP99: 40, SendLagMax: 50, LatencyP50: 1, Connections: 10, Pipeline: 1})
	if got.QueuePeak != 100 || !got.Saturated {
		t.Errorf("%+v, want saturated with a queue of 100", got)
	}
}

func TestTicketsHandOutTheScheduleOnce(t *testing.T) {
	tk := NewTickets(NewSchedule(1000, nil), 0, 0)
	for i := range int64(5) {
		n, due, ok := tk.Take()
		if !ok || n != i || due < i*1e6-1 || due > i*1e6+1 {
			t.Fatalf("take %d = %d %d %v", i, n, due, ok)
		}
	}
	// Due before 10.5 ms: requests 0..10; 5 taken.
	if got := tk.Untaken(int64(10*time.Millisecond + time.Millisecond/2)); got != 6 {
		t.Errorf("untaken %d, want 6", got)
	}
}

func TestTicketsStopAtTheBudgetAfterWarmup(t *testing.T) {
	// 1000/s with a 100 ms warm-up holds 100 warm-up requests, then 30 more.
	tk := NewTickets(NewSchedule(1000, nil), 30, int64(100*time.Millisecond-time.Millisecond/2))
	taken := 0
	for {
		if _, _, ok := tk.Take(); !ok {
			break
		}
		taken++
	}
	if taken != 130 {
		t.Errorf("took %d, want 130", taken)
	}
	if got := tk.Untaken(int64(time.Second)); got != 0 {
		t.Errorf("untaken %d after the budget, want 0", got)
	}
}

func TestTicketsEndWithTheStages(t *testing.T) {
	tk := NewTickets(NewSchedule(0, []Stage{{Duration: time.Second, Target: 2000}}), 0, 0)
	taken := 0
	for {
		if _, _, ok := tk.Take(); !ok {
			break
		}
		taken++
	}
	if taken < 995 || taken > 1001 {
		t.Errorf("a 0 to 2000/s ramp over 1 s handed out %d, want about 1000", taken)
	}
}

// faultyRun is the result of 2000 req/s for 3 s over 200 connections
// against a target that fails a tenth of the requests in transport
// (reset, garbage, short bodies, hangs) and answers another tenth 503:
// every request went out on time (send lag p99 1 ms), 592 failed.
func faultyRun() (*Plan, Schedule, *stats.Result) {
	plan := &Plan{Model: ModelOpen, RatePerSec: 2000, Duration: 3 * time.Second, Connections: 200}
	res := stats.NewResult()
	res.Elapsed = 3 * time.Second
	res.Requests, res.Responses, res.InFlightAtEnd = 6000, 5399, 9
	res.Errors[stats.ErrReset], res.Errors[stats.ErrRead], res.Errors[stats.ErrBadResponse], res.Errors[stats.ErrTimeout] = 319, 113, 108, 52
	res.Status[200], res.Status[503] = 4799, 600
	res.Connects = 792
	_ = res.SendLag.RecordValues(85, 5900)
	_ = res.SendLag.RecordValues(1100, 100)
	_ = res.Service.RecordValues(76, 5399)
	return plan, NewSchedule(2000, nil), res
}

// TestOpenSaturationCountsFailedRequestsAsSent: requests the target
// failed were sent on time all the same; the verdict is on the generator,
// so it is not saturated (the errors are for the error gates).
func TestOpenSaturationCountsFailedRequestsAsSent(t *testing.T) {
	plan, sched, res := faultyRun()
	if got := OpenSaturation(plan, &sched, res); got.Saturated {
		t.Errorf("every request sent on time, 592 failed by the target: %+v, want not saturated", got)
	}
	// The same run with a tenth of the schedule never sent is saturated.
	res.Requests -= 600
	res.Responses -= 600
	res.Dropped = 600
	if got := OpenSaturation(plan, &sched, res); !got.Saturated || !strings.Contains(got.Reason, "achieved 1,800 of 2,000 req/s") {
		t.Errorf("a tenth never sent: %+v, want saturated, achieved 1,800 of 2,000", got)
	}
}
