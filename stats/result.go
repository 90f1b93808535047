package stats

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Result is everything one run measured, merged from its recorders. Every
// mode produces the same Result; Summarize turns it into numbers.
type Result struct {
	Mode        string        // async, sync or goroutine; a merge of runs in several modes joins them with "+" (async+sync)
	Model       string        // closed, open or hold
	Target      string        // what was loaded, for people (a URL)
	Connections int           // connections asked for (a counted run's lowered: see ConnectionsAsked)
	Loops       int           // event loops (async) or 0; 0 in a merge of runs in several modes
	Pipeline    int           // requests in flight per connection asked for
	RatePerSec  float64       // open model: the target rate (with stages, the rate the ramp starts from), else 0
	Ramp        []RampPoint   // with stages: the planned rate (open) or connections (closed) over the run; else empty
	Start       time.Time     // wall clock when the measured part began
	Elapsed     time.Duration // length of the measured part
	Warmup      time.Duration // length of the warm-up that ran (less than planned when interrupted in it), excluded from the stats
	Interrupted bool          // the run was cancelled (Ctrl-C) before its end

	Counters                               // counts of the measured part
	WarmupCounters Counters                // counts of the warm-up
	Latency        *hdrhistogram.Histogram // corrected latency, µs
	Service        *hdrhistogram.Histogram // service time, µs
	Connect        *hdrhistogram.Histogram // connect time, µs
	SendLag        *hdrhistogram.Histogram // open model send lag, µs
	Intervals      []Interval              // per-second intervals, merged across loops

	OpenConnsAtEnd  int           // connections open when the run stopped
	InFlightAtEnd   uint64        // requests written but neither answered nor failed when the run stopped
	PeakOpenConns   int           // most connections open at once
	EstablishedIn   time.Duration // from the start (warm-up included) until all Connections (a closed ramp: its peak) were first open at once, in every model; 0 if not by the end
	FirstConnectErr string        // the first connect error's text, to explain a run that never connected
	HTTPToTLS       bool          // plain HTTP went to a server that speaks TLS: a response began with a TLS record (or cmd's probe found TLS when nothing was answered)

	Generator  Generator  // what the generator itself cost
	Saturation Saturation // whether the generator kept its schedule

	// ConnectionsAsked is -c when a counted run opened fewer connections
	// than asked, Connections, one per request at most
	// (engine.Plan.CapConnections); 0 when it had those asked for.
	ConnectionsAsked int
}

// Saturation says whether the generator itself fell behind; a saturated
// result does not measure the target alone.
type Saturation struct {
	Saturated bool   `json:"saturated"`
	Reason    string `json:"reason,omitempty"`
	// QueuePeak estimates the requests due and waiting for a free
	// connection at the worst moment: the longest send lag times the rate.
	QueuePeak int64 `json:"queue_peak,omitempty"`
	// Note says, for a run that was not saturated, why sends were late
	// or left unsent all the same: the target held every connection.
	Note string `json:"note,omitempty"`
	// RateKept says, for a saturated run, that it sent the requests due
	// (99% or more of the schedule), late: its latency from the intended
	// send counts the lag, so it bounds the target's from above.
	RateKept bool `json:"rate_kept,omitempty"`
}

// NewResult returns an empty result ready to merge recorders into.
func NewResult() *Result {
	return &Result{
		Latency: NewHistogram(),
		Service: NewHistogram(),
		Connect: NewHistogram(),
		SendLag: NewHistogram(),
	}
}

// AddRecorder merges one recorder's histograms, counters and intervals into
// r. Intervals are aligned by index: interval i of every loop covers the
// same second.
func (r *Result) AddRecorder(rec *Recorder) {
	r.Counters.Add(&rec.Counters)
	r.WarmupCounters.Add(&rec.Warmup)
	r.Latency.Merge(rec.Latency)
	r.Service.Merge(rec.Service())
	r.Connect.Merge(rec.Connect)
	r.SendLag.Merge(rec.SendLag)
	r.Intervals = MergeIntervals(r.Intervals, rec.Intervals)
}

// Merge merges another result into r exactly: histograms merge, counters
// add, connection counts and loops add, and the intervals line up on the
// wall clock. Used to combine runs made on several machines at the same
// time. Runs of different modes make a run of mode "async+sync" (the modes
// joined in the order they came), and their loops are not added: a count
// of event loops says nothing about the threads of sync mode, so Loops is 0.
//
// The merged run starts at the earlier of the two starts. A run that
// started k seconds after the other (k rounded to the nearest whole
// second) has its interval i merged into interval i+k, moved by exactly k
// seconds: intervals stay one second wide on the earlier run's clock and
// never overlap. The merged run lasts as long as the longer of the two,
// since they ran side by side: its rate is the sum of theirs, not their
// total spread over the span from the first start to the last end. Its
// connections were all open once both runs had all theirs open: the
// later of the two instants, from the merged start (mergedEstablishedIn).
func (r *Result) Merge(o *Result) {
	offset := o.Start.Sub(r.Start) // how much later o started than r
	if r.Start.IsZero() || o.Start.IsZero() {
		offset = 0
	}
	lead := int(offset.Round(time.Second) / time.Second)
	src := o.Intervals
	if lead >= 0 {
		src = shiftIntervals(src, lead)
	} else {
		r.Intervals = shiftIntervals(r.Intervals, -lead)
	}
	established := mergedEstablishedIn(r, o) // before r's start moves
	if len(r.Ramp) > 0 || len(o.Ramp) > 0 {
		// Shifted as the intervals are, so the plan lines up with them.
		r.Ramp = addRamps(shiftRamp(r.rampOrLevel(), float64(max(-lead, 0))), shiftRamp(o.rampOrLevel(), float64(max(lead, 0))))
	}
	if offset < 0 {
		r.Start = o.Start
	}
	r.Elapsed = max(r.Elapsed, o.Elapsed)
	r.Counters.Add(&o.Counters)
	r.WarmupCounters.Add(&o.WarmupCounters)
	r.Latency.Merge(o.Latency)
	r.Service.Merge(o.Service)
	r.Connect.Merge(o.Connect)
	r.SendLag.Merge(o.SendLag)
	r.Intervals = MergeIntervals(r.Intervals, src)
	if r.ConnectionsAsked > 0 || o.ConnectionsAsked > 0 {
		r.ConnectionsAsked = cmp.Or(r.ConnectionsAsked, r.Connections) + cmp.Or(o.ConnectionsAsked, o.Connections)
	}
	r.Connections += o.Connections
	r.Mode = mergeModes(r.Mode, o.Mode)
	if strings.Contains(r.Mode, ModeSep) {
		r.Loops = 0
	} else {
		r.Loops += o.Loops
	}
	r.OpenConnsAtEnd += o.OpenConnsAtEnd
	r.InFlightAtEnd += o.InFlightAtEnd
	r.PeakOpenConns += o.PeakOpenConns
	r.EstablishedIn = established
	r.RatePerSec += o.RatePerSec
	r.Generator.Add(o.Generator)
	queue := r.Saturation.QueuePeak + o.Saturation.QueuePeak // merged runs ran side by side
	// A saturated run wins over one that was not, and one that fell short
	// of its rate over one that kept it: the merged load kept its rate
	// only if every run did.
	if (o.Saturation.Saturated && (!r.Saturation.Saturated || (r.Saturation.RateKept && !o.Saturation.RateKept))) ||
		(!r.Saturation.Saturated && r.Saturation.Note == "") {
		r.Saturation = o.Saturation
	}
	r.Saturation.QueuePeak = queue
	r.Interrupted = r.Interrupted || o.Interrupted
	r.HTTPToTLS = r.HTTPToTLS || o.HTTPToTLS
}

// mergedEstablishedIn is the EstablishedIn of the merge of r and o: the
// connections of both were all open at once from the later of the two
// runs' own all-open instants, on the wall clock, measured from the
// merged run's start (the earlier start, less r's warm-up, which the merge
// keeps). It is 0 (never) when a run never had all its connections open,
// when that instant came after a run had ended, or when a start is
// unknown. A merge of merges checks the instant against the end of the
// longest run merged so far, not the first to end: it knows no other.
//
//	r:  |--warm-up--|--measured------------|      all open at rA
//	o:        |--measured---------------|         all open at oA
//	merged zero = min(starts) - r.Warmup; all open at max(rA, oA)
func mergedEstablishedIn(r, o *Result) time.Duration {
	ra, rok := r.allOpenAt()
	oa, ook := o.allOpenAt()
	if !rok || !ook {
		return 0
	}
	at := ra
	if oa.After(at) {
		at = oa
	}
	if at.After(r.Start.Add(r.Elapsed)) || at.After(o.Start.Add(o.Elapsed)) {
		return 0 // one run had ended before the other had all its connections open
	}
	start := r.Start
	if o.Start.Before(start) {
		start = o.Start
	}
	return at.Sub(start.Add(-r.Warmup))
}

// allOpenAt returns the wall-clock instant when all of r's connections
// were first open at once, and false if they never were or r has no
// start. EstablishedIn counts from the start of the run, warm-up
// included, and Start is when the measured part began.
func (r *Result) allOpenAt() (time.Time, bool) {
	if r.EstablishedIn <= 0 || r.Start.IsZero() {
		return time.Time{}, false
	}
	return r.Start.Add(r.EstablishedIn - r.Warmup), true
}

// ModeSep joins the modes of a merge of runs in several modes.
const ModeSep = "+"

// mergeModes returns the mode of a merge of runs of modes a and b: a when
// b adds no mode to it, else the modes of both joined by ModeSep, each
// once, in the order they came.
func mergeModes(a, b string) string {
	var modes []string
	for _, m := range strings.Split(a+ModeSep+b, ModeSep) {
		if m != "" && !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	return strings.Join(modes, ModeSep)
}

// shiftIntervals returns the intervals of a run that started lead whole
// seconds after the merged run's start: led by lead empty one-second
// intervals, with their own times moved by lead seconds. ivs is not
// modified.
func shiftIntervals(ivs []Interval, lead int) []Interval {
	if lead <= 0 || len(ivs) == 0 {
		return ivs
	}
	out := make([]Interval, 0, lead+len(ivs))
	for i := range lead {
		out = append(out, Interval{StartNs: int64(i) * 1e9, EndNs: int64(i+1) * 1e9, Latency: NewHistogram()})
	}
	move := int64(lead) * 1e9
	for _, iv := range ivs {
		iv.StartNs += move
		iv.EndNs += move
		out = append(out, iv)
	}
	return out
}

// MergeIntervals merges src into dst by index and returns dst.
func MergeIntervals(dst, src []Interval) []Interval {
	for i := range src {
		if i >= len(dst) {
			iv := src[i]
			iv.Latency = NewHistogram()
			iv.Latency.Merge(src[i].Latency)
			dst = append(dst, iv)
			continue
		}
		d := &dst[i]
		d.Latency.Merge(src[i].Latency)
		d.Counters.Add(&src[i].Counters)
		d.OpenConns += src[i].OpenConns
		if src[i].EndNs > d.EndNs {
			d.EndNs = src[i].EndNs
		}
		if src[i].StartNs < d.StartNs {
			d.StartNs = src[i].StartNs
		}
	}
	return dst
}
