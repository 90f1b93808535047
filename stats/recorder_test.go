package stats

import (
	"testing"
	"time"
)

func TestRecorderCountsAndPercentiles(t *testing.T) {
	r := NewRecorder()
	// 1000 responses at 1..1000 ms: p50 is 500 ms, p99 990 ms, to 3 digits.
	for i := 1; i <= 1000; i++ {
		r.RecordResponse(200, int64(i)*int64(time.Millisecond), int64(i)*int64(time.Millisecond)/2)
	}
	r.RecordResponse(503, int64(time.Millisecond), int64(time.Millisecond))
	r.RecordError(ErrTimeout)
	r.RecordSent(1002, 1002*40)
	r.RecordReceived(12345)

	if r.Responses != 1001 || r.Status[200] != 1000 || r.Status[503] != 1 {
		t.Fatalf("responses %d status200 %d status503 %d", r.Responses, r.Status[200], r.Status[503])
	}
	if got := Quantile(r.Latency, 50); got < 499_000 || got > 501_000 {
		t.Fatalf("p50 = %d µs, want about 500000", got)
	}
	if got := Quantile(r.Service(), 50); got < 249_000 || got > 251_000 {
		t.Fatalf("service p50 = %d µs, want about 250000", got)
	}
	if r.ErrorTotal() != 1 || r.RequestErrors() != 1 {
		t.Fatalf("errors %d request errors %d", r.ErrorTotal(), r.RequestErrors())
	}
	if r.StatusClass(5) != 1 || r.StatusClass(2) != 1000 {
		t.Fatalf("5xx %d 2xx %d", r.StatusClass(5), r.StatusClass(2))
	}
}

func TestRecorderClampsOutOfRangeValues(t *testing.T) {
	r := NewRecorder()
	r.RecordResponse(200, -5, 0)                       // a clock step backwards
	r.RecordResponse(200, int64(10*time.Hour), 0)      // beyond the histogram's range
	r.RecordResponse(9999, int64(time.Millisecond), 0) // a status code out of range
	if r.Latency.TotalCount() != 3 {
		t.Fatalf("recorded %d values, want 3", r.Latency.TotalCount())
	}
	if r.Latency.Max() < HighestUs*99/100 {
		t.Fatalf("max %d, want clamped to about %d", r.Latency.Max(), HighestUs)
	}
	if r.Status[MaxStatus-1] != 1 {
		t.Fatal("an out-of-range status was not counted as 599")
	}
}

func TestWarmupIsExcluded(t *testing.T) {
	r := NewRecorder()
	for i := 0; i < 10; i++ {
		r.RecordResponse(200, int64(time.Second), int64(time.Second))
	}
	r.EndWarmup(int64(2 * time.Second))
	r.RecordResponse(200, int64(time.Millisecond), int64(time.Millisecond))
	if r.Responses != 1 || r.Warmup.Responses != 10 || r.Latency.TotalCount() != 1 {
		t.Fatalf("after warm-up: responses %d warm-up %d histogram %d", r.Responses, r.Warmup.Responses, r.Latency.TotalCount())
	}
	if r.Latency.Max() > 1100 {
		t.Fatalf("warm-up latency leaked into the histogram: max %d µs", r.Latency.Max())
	}
}

// Connection setup is reported whenever it happened: the connects of the
// warm-up, their times and the TLS sessions they resumed, stay counted
// after it, in the first interval.
func TestWarmupKeepsConnects(t *testing.T) {
	r := NewRecorder()
	for i := range 10 {
		r.RecordConnect(int64(100 * time.Microsecond))
		if i > 0 {
			r.RecordTLSResumed()
		}
	}
	r.RecordResponse(200, int64(time.Millisecond), int64(time.Millisecond))
	r.EndWarmup(0)
	r.RecordConnect(int64(200 * time.Microsecond))
	r.CloseInterval(int64(time.Second), 11)
	if r.Connects != 11 || r.Connect.TotalCount() != 11 || r.Warmup.Connects != 0 || r.Responses != 0 {
		t.Fatalf("connects %d, connect times %d, warm-up connects %d, responses %d; want 11, 11, 0, 0",
			r.Connects, r.Connect.TotalCount(), r.Warmup.Connects, r.Responses)
	}
	if r.Intervals[0].Connects != 11 {
		t.Fatalf("first interval has %d connects, want 11", r.Intervals[0].Connects)
	}
	if r.TLSResumed != 9 || r.Warmup.TLSResumed != 0 || r.Intervals[0].TLSResumed != 9 {
		t.Fatalf("resumed %d, warm-up %d, first interval %d; want 9, 0, 9", r.TLSResumed, r.Warmup.TLSResumed, r.Intervals[0].TLSResumed)
	}
}

func TestIntervalsMergeByIndex(t *testing.T) {
	a, b := NewRecorder(), NewRecorder()
	for s := 0; s < 3; s++ {
		for i := 0; i <= s; i++ {
			a.RecordResponse(200, int64(time.Millisecond), 0)
			b.RecordResponse(200, int64(time.Millisecond), 0)
		}
		a.CloseInterval(int64(s+1)*int64(time.Second), 2)
		b.CloseInterval(int64(s+1)*int64(time.Second)+1000, 3)
	}
	res := NewResult()
	res.AddRecorder(a)
	res.AddRecorder(b)
	if len(res.Intervals) != 3 {
		t.Fatalf("%d intervals, want 3", len(res.Intervals))
	}
	for s, iv := range res.Intervals {
		want := uint64(2 * (s + 1))
		if iv.Responses != want || iv.Latency.TotalCount() != int64(want) || iv.OpenConns != 5 {
			t.Fatalf("interval %d: responses %d histogram %d open %d; want %d, %d, 5", s, iv.Responses, iv.Latency.TotalCount(), iv.OpenConns, want, want)
		}
	}
	if res.Responses != 12 || res.Latency.TotalCount() != 12 {
		t.Fatalf("total responses %d histogram %d, want 12", res.Responses, res.Latency.TotalCount())
	}
}

func TestSummarize(t *testing.T) {
	rec := NewRecorder()
	for i := 0; i < 900; i++ {
		rec.RecordResponse(200, int64(2*time.Millisecond), int64(2*time.Millisecond))
	}
	for i := 0; i < 100; i++ {
		rec.RecordResponse(500, int64(20*time.Millisecond), int64(20*time.Millisecond))
	}
	rec.RecordError(ErrReset)
	rec.RecordError(ErrConnectRefused) // a failed connect is a failed attempt too
	res := NewResult()
	res.AddRecorder(rec)
	res.Elapsed = 2 * time.Second
	res.Connections, res.PeakOpenConns = 10, 10
	res.Generator = Generator{CPUUserSec: 0.5, CPUSysSec: 0.5, PeakRSSBytes: 10_000_000}
	s := Summarize(res)
	if s.RequestsPerSec != 500 {
		t.Fatalf("req/s %g, want 500", s.RequestsPerSec)
	}
	if s.Status["200"] != 900 || s.Status["500"] != 100 {
		t.Fatalf("status %v", s.Status)
	}
	if s.Errors["reset"] != 1 || s.Errors["connect_refused"] != 1 || s.ErrorTotal != 2 {
		t.Fatalf("errors %v total %d", s.Errors, s.ErrorTotal)
	}
	// Failed: the 100 responses with status 500, the reset and the
	// refused connect, of 1,002 attempts (1,000 responses and 2 errors),
	// as k6's http_req_failed counts them.
	if want := 102.0 / 1002; s.Failed != 102 || s.ErrorRate != want || s.Attempts() != 1002 {
		t.Fatalf("failed %d of %d attempts, error rate %g; want 102 of 1002, %g", s.Failed, s.Attempts(), s.ErrorRate, want)
	}
	if p := s.Latency.P(50); p < 1.99 || p > 2.01 {
		t.Fatalf("p50 %g ms, want 2", p)
	}
	if p := s.Latency.P(99); p < 19.9 || p > 20.1 {
		t.Fatalf("p99 %g ms, want 20", p)
	}
	if s.CPUMicrosPerReq != 1000 || s.RSSBytesPerConn == nil || *s.RSSBytesPerConn != 1_000_000 {
		t.Fatalf("cpu µs/req %g rss/conn %v", s.CPUMicrosPerReq, s.RSSBytesPerConn)
	}
}

func TestErrorKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := ErrorKind(0); k < NumErrorKinds; k++ {
		name := k.String()
		if name == "" || name == "unknown" || seen[name] {
			t.Fatalf("kind %d has a bad or duplicate name %q", k, name)
		}
		seen[name] = true
		if back, ok := ErrorKindByName(name); !ok || back != k {
			t.Fatalf("ErrorKindByName(%q) = %d, %v", name, back, ok)
		}
	}
}

func BenchmarkRecordResponse(b *testing.B) {
	r := NewRecorder()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.RecordResponse(200, int64(i%5000)*1000, int64(i%5000)*1000)
	}
}

// TestServiceKeptOnceUntilItDiffers: while every service time equals its
// latency (the closed model) the recorder keeps them once; from the first
// that differs (the open model) service times have their own histogram,
// holding the earlier ones too. A warm-up's end starts both afresh.
func TestServiceKeptOnceUntilItDiffers(t *testing.T) {
	r := NewRecorder()
	ms := int64(time.Millisecond)
	for range 3 {
		r.RecordResponse(200, 10*ms, 10*ms)
	}
	if r.Service() != r.Latency || r.Service().TotalCount() != 3 {
		t.Fatalf("equal times: service %d values, kept apart %v", r.Service().TotalCount(), r.Service() != r.Latency)
	}
	r.RecordResponse(200, 40*ms, 20*ms)
	r.RecordResponse(200, 10*ms, 10*ms)
	s, l := r.Service(), r.Latency
	if s == l || s.TotalCount() != 5 || l.TotalCount() != 5 {
		t.Fatalf("after a difference: service %d values, latency %d", s.TotalCount(), l.TotalCount())
	}
	if s.Max()/1000 != 20 || l.Max()/1000 != 40 || Quantile(s, 50)/1000 != 10 {
		t.Fatalf("service max %d µs p50 %d µs, latency max %d µs", s.Max(), Quantile(s, 50), l.Max())
	}
	r.EndWarmup(int64(time.Second))
	r.RecordResponse(200, 5*ms, 5*ms)
	if r.Service() != r.Latency || r.Service().TotalCount() != 1 {
		t.Fatalf("after the warm-up: service %d values", r.Service().TotalCount())
	}
}

// TestIntervalLatencyIsTheDifference: each interval's histogram holds
// exactly the responses recorded in it, and the run's all of them.
func TestIntervalLatencyIsTheDifference(t *testing.T) {
	r := NewRecorder()
	ms := int64(time.Millisecond)
	for i := range 100 {
		r.RecordResponse(200, int64(i+1)*ms, int64(i+1)*ms)
	}
	r.CloseInterval(int64(time.Second), 1)
	r.CloseInterval(int64(2*time.Second), 1) // nothing in this one
	for range 7 {
		r.RecordResponse(200, 500*ms, 500*ms)
	}
	r.CloseInterval(int64(3*time.Second), 1)
	want := []struct{ n, min, max int64 }{{100, 1, 100}, {0, 0, 0}, {7, 500, 500}}
	for i, w := range want {
		h := r.Intervals[i].Latency
		near := func(v, ms int64) bool { return w.n == 0 || h.ValuesAreEquivalent(v, ms*1000) }
		if h.TotalCount() != w.n || !near(h.Min(), w.min) || !near(h.Max(), w.max) {
			t.Errorf("interval %d: %d values in [%d, %d] ms, want %d in [%d, %d]", i, h.TotalCount(), h.Min()/1000, h.Max()/1000, w.n, w.min, w.max)
		}
	}
	if r.Latency.TotalCount() != 107 {
		t.Fatalf("run: %d values, want 107", r.Latency.TotalCount())
	}
}

// TestRecordResponsesCountsARun: a run of n equal responses counts as n
// responses of its status, with n latencies and, once they differ, n
// service times: what n single records would have made.
func TestRecordResponsesCountsARun(t *testing.T) {
	run, one := NewRecorder(), NewRecorder()
	ms := int64(time.Millisecond)
	for _, c := range []struct {
		status           int
		latency, service int64
		n                int
	}{{200, 3 * ms, 3 * ms, 16}, {503, 7 * ms, 7 * ms, 5}, {200, 9 * ms, 2 * ms, 16}, {200, 4 * ms, 4 * ms, 1}} {
		run.RecordResponses(c.status, c.latency, c.service, c.n)
		for range c.n {
			one.RecordResponse(c.status, c.latency, c.service)
		}
	}
	if run.Responses != 38 || run.Status[200] != 33 || run.Status[503] != 5 || run.Counters != one.Counters {
		t.Fatalf("run: %d responses, %d 200s, %d 503s; single records: %d", run.Responses, run.Status[200], run.Status[503], one.Responses)
	}
	if !run.Latency.Equals(one.Latency) || !run.Service().Equals(one.Service()) || run.Service().TotalCount() != 38 {
		t.Fatalf("histograms differ: latency %d/%d values, service %d/%d", run.Latency.TotalCount(), one.Latency.TotalCount(), run.Service().TotalCount(), one.Service().TotalCount())
	}
	if got := Quantile(run.Service(), 50) / 1000; got != 3 {
		t.Fatalf("service p50 %d ms, want 3", got)
	}
}

// TestUnsendTakesFromTheIntervalThatCounted: requests taken back as not
// sent leave the interval that counted them, closed or in progress, so
// that no interval goes below zero and the intervals add up to the total.
func TestUnsendTakesFromTheIntervalThatCounted(t *testing.T) {
	sec := int64(time.Second)
	r := NewRecorder()
	r.RecordSent(10, 0)       // second 0
	r.CloseInterval(sec, 1)   // [0, 1s): 10
	r.CloseInterval(2*sec, 1) // [1s, 2s): none
	r.RecordSent(5, 0)        // second 2, in progress
	r.Unsend(4, sec/2)        // 4 of second 0's
	r.Unsend(2, 2*sec+sec/10) // 2 of second 2's
	r.CloseInterval(3*sec, 1) // [2s, 3s): 3
	want := []uint64{6, 0, 3}
	var sum uint64
	for i, iv := range r.Intervals {
		if iv.Requests != want[i] {
			t.Errorf("interval %d counts %d requests, want %d", i, iv.Requests, want[i])
		}
		sum += iv.Requests
	}
	if r.Requests != 9 || sum != 9 {
		t.Errorf("requests %d, intervals add up to %d; want 9", r.Requests, sum)
	}
}

// TestUnrecordSendLags removes the send lags of requests never sent, one
// recording each, and leaves the rest.
func TestUnrecordSendLags(t *testing.T) {
	r := NewRecorder()
	for _, ms := range []int64{1, 2, 2, 50} {
		r.RecordSendLag(ms * int64(time.Millisecond))
	}
	r.UnrecordSendLags([]int64{2 * int64(time.Millisecond), 50 * int64(time.Millisecond)})
	if n, hi := r.SendLag.TotalCount(), r.SendLag.Max(); n != 2 || hi > 2100 {
		t.Errorf("%d send lags left, the longest %d µs; want 2, at most 2 ms", n, hi)
	}
}
