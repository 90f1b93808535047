package stats

import (
	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: values are microseconds, from 1 µs to one hour, with 3
// significant digits. Every histogram of nowait has this geometry, so any
// two merge exactly.
const (
	LowestUs  = 1
	HighestUs = 3_600_000_000
	SigFigs   = 3
)

// MaxStatus bounds the status codes counted one by one; larger codes are
// counted as 599.
const MaxStatus = 600

// NewHistogram returns an empty latency histogram in microseconds with
// nowait's geometry.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LowestUs, HighestUs, SigFigs)
}

// recordNs records n durations given in nanoseconds, clamped into range,
// so it never fails and never allocates.
func recordNs(h *hdrhistogram.Histogram, ns int64, n int) {
	us := ns / 1000
	if us < LowestUs {
		us = LowestUs
	} else if us > HighestUs {
		us = HighestUs
	}
	_ = h.RecordValues(us, int64(n)) // cannot fail: us is in range
}

// Counters are the plain counts of a run or of one interval.
type Counters struct {
	Requests  uint64                // requests written to a socket, all their bytes (see Unsend)
	Responses uint64                // complete responses parsed
	Status    [MaxStatus]uint64     // responses by status code
	BytesIn   uint64                // bytes read
	BytesOut  uint64                // bytes written
	Connects  uint64                // connections established
	Errors    [NumErrorKinds]uint64 // failures by kind
	Dropped   uint64                // open model: requests never sent (run ended first)
	Resent    uint64                // requests in flight when a response said Connection: close, sent again
	// ServerClosed counts the held connections (hold model) the server
	// ended with no request of ours unanswered: a FIN or a reset while
	// idle, or the close after a response (Connection: close, or a body
	// delimited by the close). They are reconnected, and are no error.
	ServerClosed uint64
	// TLSResumed counts the connections (of Connects) whose TLS handshake
	// resumed an earlier session (a session ticket) instead of a full
	// handshake: no certificate sent or verified, no server signature.
	TLSResumed uint64
}

// Add adds o into c.
func (c *Counters) Add(o *Counters) {
	c.Requests += o.Requests
	c.Responses += o.Responses
	for i := range c.Status {
		c.Status[i] += o.Status[i]
	}
	c.BytesIn += o.BytesIn
	c.BytesOut += o.BytesOut
	c.Connects += o.Connects
	for i := range c.Errors {
		c.Errors[i] += o.Errors[i]
	}
	c.Dropped += o.Dropped
	c.Resent += o.Resent
	c.ServerClosed += o.ServerClosed
	c.TLSResumed += o.TLSResumed
}

// Minus returns c - o, field by field. o must be an earlier state of c.
func (c *Counters) Minus(o *Counters) Counters {
	d := *c
	d.Requests -= o.Requests
	d.Responses -= o.Responses
	for i := range d.Status {
		d.Status[i] -= o.Status[i]
	}
	d.BytesIn -= o.BytesIn
	d.BytesOut -= o.BytesOut
	d.Connects -= o.Connects
	for i := range d.Errors {
		d.Errors[i] -= o.Errors[i]
	}
	d.Dropped -= o.Dropped
	d.Resent -= o.Resent
	d.ServerClosed -= o.ServerClosed
	d.TLSResumed -= o.TLSResumed
	return d
}

// ErrorTotal returns the number of failures of every kind.
func (c *Counters) ErrorTotal() uint64 {
	var n uint64
	for _, e := range c.Errors {
		n += e
	}
	return n
}

// RequestErrors returns the failures of requests on open connections, not
// counting failures to connect.
func (c *Counters) RequestErrors() uint64 {
	var n uint64
	for k, e := range c.Errors {
		if !ErrorKind(k).IsConnectError() {
			n += e
		}
	}
	return n
}

// StatusClass returns the number of responses whose status is in class
// cls (2 for 2xx, 5 for 5xx).
func (c *Counters) StatusClass(cls int) uint64 {
	var n uint64
	for s := cls * 100; s < cls*100+100 && s < MaxStatus; s++ {
		n += c.Status[s]
	}
	return n
}

// Recorder is one event loop's (or one connection group's) record of a run.
// It is owned by exactly one goroutine and takes no lock; recorders are
// merged into a Result when the run ends.
type Recorder struct {
	Counters
	Latency *hdrhistogram.Histogram // from intended send time (corrected)
	Connect *hdrhistogram.Histogram // connect time
	SendLag *hdrhistogram.Histogram // open model: actual send minus intended send

	// Warmup holds what was counted before EndWarmup.
	Warmup Counters
	// Intervals are the closed per-second intervals, oldest first.
	Intervals []Interval

	// service holds the service times once one differed from its latency
	// (the open model); until then they are the latencies (the closed
	// model), kept once. See Service.
	service     *hdrhistogram.Histogram
	serviceSame bool

	ivPrev    []int64 // Latency's counts at the last interval's end; nil for none
	ivBase    Counters
	ivStartNs int64
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{
		Latency:     NewHistogram(),
		Connect:     NewHistogram(),
		SendLag:     NewHistogram(),
		service:     NewHistogram(),
		serviceSame: true,
	}
}

// Service returns the service times (from the actual write) recorded so
// far, for reading: the latency histogram itself while every service time
// equalled its latency.
func (r *Recorder) Service() *hdrhistogram.Histogram {
	if r.serviceSame {
		return r.Latency
	}
	return r.service
}

// RecordResponse counts one complete response with its status, its latency
// from the intended send time and its service time from the actual write.
// In the closed model the two are equal.
func (r *Recorder) RecordResponse(status int, latencyNs, serviceNs int64) {
	r.RecordResponses(status, latencyNs, serviceNs, 1)
}

// RecordResponses counts n complete responses with the same status,
// latency and service time, at the cost of one: pipelined responses read
// at once to requests written at once are such a run.
func (r *Recorder) RecordResponses(status int, latencyNs, serviceNs int64, n int) {
	r.Responses += uint64(n)
	r.Status[statusSlot(status)] += uint64(n)
	if serviceNs != latencyNs || !r.serviceSame {
		r.recordService(serviceNs, n)
	}
	recordNs(r.Latency, latencyNs, n)
}

// recordService records n service times into their own histogram, which
// starts as a copy of the latencies recorded so far when this is the
// first service time to differ from its latency.
func (r *Recorder) recordService(ns int64, n int) {
	if r.serviceSame {
		r.service.Merge(r.Latency)
		r.serviceSame = false
	}
	recordNs(r.service, ns, n)
}

// RecordWarmupResponse counts a response that arrived after the warm-up
// ended to a request written during it (and counted there): it joins the
// warm-up's counts, and its latency is left out of the measured part.
func (r *Recorder) RecordWarmupResponse(status int) {
	r.Warmup.Responses++
	r.Warmup.Status[statusSlot(status)]++
}

// RecordWarmupSent counts n requests of the warm-up, written in a total
// of bytes, whose sending is recorded after the warm-up ended (a
// connection records its writes with its next response): they join the
// warm-up's counts.
func (r *Recorder) RecordWarmupSent(n int, bytes int) {
	r.Warmup.Requests += uint64(n)
	r.Warmup.BytesOut += uint64(bytes)
}

// RecordWarmupError counts a failure of kind k, after the warm-up ended,
// of a request of the warm-up: it joins the warm-up's counts.
func (r *Recorder) RecordWarmupError(k ErrorKind) {
	r.Warmup.Errors[k]++
}

// statusSlot is where status is counted: codes out of range share the
// last slot.
func statusSlot(status int) int {
	if status < 0 || status >= MaxStatus {
		return MaxStatus - 1
	}
	return status
}

// RecordError counts one failure of the given kind.
func (r *Recorder) RecordError(k ErrorKind) {
	r.Errors[k]++
}

// RecordConnect counts an established connection and its connect time.
func (r *Recorder) RecordConnect(ns int64) {
	r.Connects++
	recordNs(r.Connect, ns, 1)
}

// RecordTLSResumed counts a connection, counted by RecordConnect, whose
// TLS handshake resumed an earlier session.
func (r *Recorder) RecordTLSResumed() {
	r.TLSResumed++
}

// RecordSendLag records how late a request was written against its
// intended send time.
func (r *Recorder) RecordSendLag(ns int64) {
	recordNs(r.SendLag, ns, 1)
}

// RecordSent counts n requests written in a total of bytes.
func (r *Recorder) RecordSent(n int, bytes int) {
	r.Requests += uint64(n)
	r.BytesOut += uint64(bytes)
}

// Unsend takes back n requests counted as written at atNs (nanoseconds
// since the measured part began) whose bytes the socket had not all taken
// when the run ended: they were not sent. They leave Requests and the
// interval that counted them, closed or not, so that no interval counts
// fewer than none and the intervals still add up to the totals. Requests
// counted in the warm-up are the caller's to take from Warmup. For the
// end of a run, not the per-request path.
func (r *Recorder) Unsend(n int, atNs int64) {
	left := uint64(n)
	r.Requests -= left
	if len(r.Intervals) == 0 || atNs >= r.ivStartNs {
		return // the interval in progress counted them
	}
	r.ivBase.Requests -= left // the interval in progress keeps its count
	for i := len(r.Intervals) - 1; i >= 0 && left > 0; i-- {
		iv := &r.Intervals[i]
		if atNs < iv.StartNs && i > 0 {
			continue
		}
		take := min(left, iv.Requests) // more would say one interval counted them
		iv.Requests -= take
		left -= take
	}
	if left > 0 {
		// No closed interval had them all: the one in progress did.
		r.ivBase.Requests += left
	}
}

// UnrecordSendLags removes one recording of each of lagsNs from SendLag:
// the send lags of requests recorded when they were committed that were
// never sent after all (see Unsend). It allocates: for the end of a run.
func (r *Recorder) UnrecordSendLags(lagsNs []int64) {
	if len(lagsNs) == 0 {
		return
	}
	off := NewHistogram()
	for _, ns := range lagsNs {
		recordNs(off, ns, 1)
	}
	s, d := r.SendLag.Export(), off.Export()
	for i, c := range d.Counts {
		s.Counts[i] -= min(c, s.Counts[i])
	}
	r.SendLag = hdrhistogram.Import(s)
}

// RecordReceived counts bytes read.
func (r *Recorder) RecordReceived(bytes int) {
	r.BytesIn += uint64(bytes)
}

// MoveReceivedToWarmup moves n of the bytes counted as read in the
// measured part to the warm-up's count: those of the warm-up's responses
// read after it ended (the warm-up's requests and their responses are its
// own), counted with the read that brought them. It moves no more than
// the interval in progress counted, so that no interval counts fewer than
// none.
func (r *Recorder) MoveReceivedToWarmup(n uint64) {
	r.Warmup.BytesIn += r.UnrecordReceived(n)
}

// UnrecordReceived takes back n of the bytes counted as read, no more
// than the interval in progress counted (so that no interval counts fewer
// than none), and returns how many it took: bytes of a response that is
// not counted (its outcome came after the run's end), or that is the
// warm-up's (MoveReceivedToWarmup).
func (r *Recorder) UnrecordReceived(n uint64) uint64 {
	n = min(n, r.BytesIn-r.ivBase.BytesIn)
	r.BytesIn -= n
	return n
}

// EndWarmup moves everything counted so far into Warmup and starts the
// measured part of the run afresh at nowNs, except the connections: the
// connects and their times are kept, whenever they happened, so a run
// reports its connection setup even when the warm-up made it (the
// resumed TLS sessions among them too). The first interval counts the
// warm-up's connects, so the intervals still add up to the totals.
func (r *Recorder) EndWarmup(nowNs int64) {
	connects, resumed := r.Connects, r.TLSResumed
	r.Connects, r.TLSResumed = 0, 0
	r.Warmup.Add(&r.Counters)
	r.Counters = Counters{Connects: connects, TLSResumed: resumed}
	r.Latency.Reset()
	r.service.Reset()
	r.serviceSame = true
	r.SendLag.Reset()
	r.ivPrev = nil
	r.ivBase = Counters{}
	r.Intervals = r.Intervals[:0]
	r.ivStartNs = nowNs
}

// CloseInterval ends the current interval at endNs (nanoseconds since the
// measured part of the run began), with openConns connections open then,
// and starts the next. Called once a second by the owning loop; it
// allocates, the per-request path does not.
//
// An interval that would be empty of time (endNs at or before the current
// one's start: the run ended on a second boundary) is not added: what was
// counted since the last one closed joins that one instead, so the
// intervals always add up to the recorder's totals.
func (r *Recorder) CloseInterval(endNs int64, openConns int) {
	if n := len(r.Intervals); n > 0 && endNs <= r.ivStartNs {
		last := &r.Intervals[n-1]
		last.Latency.Merge(r.intervalLatency())
		rest := r.Counters.Minus(&r.ivBase)
		last.Counters.Add(&rest)
		last.OpenConns = openConns
		r.ivBase = r.Counters
		return
	}
	iv := Interval{
		StartNs:   r.ivStartNs,
		EndNs:     endNs,
		Latency:   r.intervalLatency(),
		Counters:  r.Counters.Minus(&r.ivBase),
		OpenConns: openConns,
	}
	r.Intervals = append(r.Intervals, iv)
	r.ivBase = r.Counters
	r.ivStartNs = endNs
}

// Unclosed reports whether anything was counted since the last interval
// closed (or since the measured part began, before the first).
func (r *Recorder) Unclosed() bool {
	return r.Counters != r.ivBase
}

// intervalLatency returns the latencies recorded since the last interval
// ended: Latency less its counts then. A response is recorded once, into
// Latency; each interval's histogram is this difference.
func (r *Recorder) intervalLatency() *hdrhistogram.Histogram {
	s := r.Latency.Export()
	if r.ivPrev == nil {
		r.ivPrev = make([]int64, len(s.Counts))
	}
	for i, c := range s.Counts {
		s.Counts[i], r.ivPrev[i] = c-r.ivPrev[i], c
	}
	return hdrhistogram.Import(s)
}

// Interval is what one loop, or the merged run, counted in one interval
// (normally one second) of the measured run.
type Interval struct {
	StartNs   int64                   // start, nanoseconds since the measured run began
	EndNs     int64                   // end, same clock
	Latency   *hdrhistogram.Histogram // corrected latency of the responses in the interval
	Counters                          // counts within the interval
	OpenConns int                     // connections open at the end of the interval
}
