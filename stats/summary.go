package stats

import (
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// SchemaVersion is the version of the Summary JSON schema. Bump it when a
// field changes meaning or is removed; adding a field does not.
const SchemaVersion = 1

// SummaryPercentiles are the percentiles every summary reports, 0 to 100.
var SummaryPercentiles = []float64{50, 75, 90, 99, 99.9, 99.99}

// Quantile returns the value at percentile p (0 to 100) of h. It is the
// one quantile convention of nowait.
func Quantile(h *hdrhistogram.Histogram, p float64) int64 {
	return h.ValueAtQuantile(p)
}

// Latency summarises one histogram in milliseconds.
type Latency struct {
	Count       int64              `json:"count"`
	MinMs       float64            `json:"min_ms"`
	MeanMs      float64            `json:"mean_ms"`
	StdevMs     float64            `json:"stdev_ms"`
	MaxMs       float64            `json:"max_ms"`
	Percentiles map[string]float64 `json:"percentiles_ms"` // "50", "99.9", ...
}

// P returns the percentile p (as in SummaryPercentiles) in milliseconds.
func (l Latency) P(p float64) float64 { return l.Percentiles[PercentileKey(p)] }

// PercentileKey formats a percentile as a summary map key: 50 -> "50",
// 99.9 -> "99.9".
func PercentileKey(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// SummarizeHistogram computes a Latency from a histogram in microseconds.
func SummarizeHistogram(h *hdrhistogram.Histogram) Latency {
	l := Latency{Percentiles: map[string]float64{}}
	l.Count = h.TotalCount()
	if l.Count == 0 {
		for _, p := range SummaryPercentiles {
			l.Percentiles[PercentileKey(p)] = 0
		}
		return l
	}
	l.MinMs = float64(h.Min()) / 1000
	l.MeanMs = h.Mean() / 1000
	l.StdevMs = h.StdDev() / 1000
	l.MaxMs = float64(h.Max()) / 1000
	for _, p := range SummaryPercentiles {
		l.Percentiles[PercentileKey(p)] = float64(Quantile(h, p)) / 1000
	}
	return l
}

// Summary is the numbers of one run, computed once from its Result. It is
// the body of summary.json and of `--json`. Every count and every yes/no
// is written, 0 or false included, so that a jq gate such as
// `.dropped == 0` holds on a clean run; a field is left out only when the
// run did not measure it or it does not apply (omitempty below, each
// saying when).
type Summary struct {
	Schema      int         `json:"schema_version"`
	Mode        string      `json:"mode"`
	Model       string      `json:"model"`
	Target      string      `json:"target"`
	Connections int         `json:"connections"`
	ConnsAsked  int         `json:"connections_asked,omitempty"` // -c, when a counted run opened fewer: one per request at most
	Loops       int         `json:"loops,omitempty"`             // async mode's event loops; absent in sync and goroutine modes, and in a merge of modes
	Pipeline    int         `json:"pipeline"`
	RatePerSec  float64     `json:"target_rate_per_s,omitempty"` // open model: the rate asked for (-R); absent in the other models and in a ramp from 0
	Ramp        []RampPoint `json:"ramp,omitempty"`              // with stages: the planned rate (open) or connections (closed) over the run
	Start       time.Time   `json:"start"`
	DurationSec float64     `json:"duration_s"`
	WarmupSec   float64     `json:"warmup_s"`
	Interrupted bool        `json:"interrupted"`

	Requests          uint64            `json:"requests"`
	Responses         uint64            `json:"responses"`
	Dropped           uint64            `json:"dropped"`
	Resent            uint64            `json:"resent"` // pipelined requests a Connection: close left unanswered, sent again
	RequestsPerSec    float64           `json:"requests_per_s"`
	BytesIn           uint64            `json:"bytes_in"`
	BytesOut          uint64            `json:"bytes_out"`
	BytesInPerSec     float64           `json:"bytes_in_per_s"`
	Connects          uint64            `json:"connects"`
	ServerClosed      uint64            `json:"server_closed"` // hold: held connections the server ended, reconnected; 0 in the other models
	TLSResumed        uint64            `json:"tls_resumed"`   // https: connects whose TLS handshake resumed a session; 0 over http
	OpenConnsAtEnd    int               `json:"open_connections_at_end"`
	InFlightAtEnd     uint64            `json:"in_flight_at_end"`
	PeakOpenConns     int               `json:"peak_open_connections"`
	EstablishedSec    float64           `json:"all_established_s,omitempty"` // when all connections were first open at once; absent when that never happened
	Status            map[string]uint64 `json:"status"`
	Errors            map[string]uint64 `json:"errors"`
	ErrorTotal        uint64            `json:"error_total"`
	Failed            uint64            `json:"failed"`                        // attempts that failed: a status outside 200-399, a request error or a failed connect
	ErrorRate         float64           `json:"error_rate"`                    // failed / attempts (responses + error_total)
	FirstConnectError string            `json:"first_connect_error,omitempty"` // the first failed connect's error; absent when none failed
	HTTPToTLS         bool              `json:"http_to_tls"`                   // plain http went to a TLS server: use https://

	Latency Latency        `json:"latency"`          // corrected, from the intended send time
	Service Latency        `json:"service_time"`     // from the actual write
	Connect Latency        `json:"connect_time"`     // connect time
	SendLag Latency        `json:"send_lag"`         // open model; count 0 and null numbers in the others
	Warmup  *WarmupSummary `json:"warmup,omitempty"` // absent without a warm-up

	Generator         Generator  `json:"generator"`
	CPUMicrosPerReq   float64    `json:"cpu_us_per_request"`
	RSSBytesPerConn   *float64   `json:"rss_bytes_per_connection,omitempty"` // (peak - start RSS) / connections (hold: / the most held at once); nil (absent) when no connection was ever open
	RequestsPerCPUSec float64    `json:"requests_per_cpu_s"`
	Saturation        Saturation `json:"saturation"`

	// Checks are the verdicts on the thresholds and the baseline, when
	// the run had some; Summarize leaves them empty for the caller.
	Checks []Check `json:"checks,omitempty"`
}

// Attempts returns the responses plus the failures of every kind, connects
// included: the denominator of error_rate and of error shares.
func (s Summary) Attempts() uint64 { return s.Responses + s.ErrorTotal }

// WarmupSummary reports the excluded warm-up.
type WarmupSummary struct {
	Requests  uint64 `json:"requests"`
	Responses uint64 `json:"responses"`
	Errors    uint64 `json:"errors"`
}

// Summarize computes the Summary of a result.
func Summarize(r *Result) Summary {
	s := Summary{
		Schema:            SchemaVersion,
		Mode:              r.Mode,
		Model:             r.Model,
		Target:            r.Target,
		Connections:       r.Connections,
		ConnsAsked:        r.ConnectionsAsked,
		Loops:             r.Loops,
		Pipeline:          r.Pipeline,
		RatePerSec:        r.RatePerSec,
		Ramp:              r.Ramp,
		Start:             r.Start,
		DurationSec:       r.Elapsed.Seconds(),
		WarmupSec:         r.Warmup.Seconds(),
		Interrupted:       r.Interrupted,
		Requests:          r.Requests,
		Responses:         r.Responses,
		Dropped:           r.Dropped,
		Resent:            r.Resent,
		BytesIn:           r.BytesIn,
		BytesOut:          r.BytesOut,
		Connects:          r.Connects,
		ServerClosed:      r.ServerClosed,
		TLSResumed:        r.TLSResumed,
		OpenConnsAtEnd:    r.OpenConnsAtEnd,
		InFlightAtEnd:     r.InFlightAtEnd,
		PeakOpenConns:     r.PeakOpenConns,
		EstablishedSec:    r.EstablishedIn.Seconds(),
		Status:            map[string]uint64{},
		Errors:            map[string]uint64{},
		ErrorTotal:        r.ErrorTotal(),
		FirstConnectError: r.FirstConnectErr,
		HTTPToTLS:         r.HTTPToTLS,
		Latency:           SummarizeHistogram(r.Latency),
		Service:           SummarizeHistogram(r.Service),
		Connect:           SummarizeHistogram(r.Connect),
		SendLag:           SummarizeHistogram(r.SendLag),
		Generator:         r.Generator,
		Saturation:        r.Saturation,
	}
	if sec := r.Elapsed.Seconds(); sec > 0 {
		s.RequestsPerSec = float64(r.Responses) / sec
		s.BytesInPerSec = float64(r.BytesIn) / sec
	}
	for code, n := range r.Status {
		if n > 0 {
			s.Status[strconv.Itoa(code)] = n
		}
	}
	for k, n := range r.Errors {
		if n > 0 {
			s.Errors[ErrorKind(k).String()] = n
		}
	}
	s.Failed = r.FailedResponses() + s.ErrorTotal
	if attempts := s.Attempts(); attempts > 0 {
		s.ErrorRate = float64(s.Failed) / float64(attempts)
	}
	if r.Warmup > 0 {
		s.Warmup = &WarmupSummary{
			Requests:  r.WarmupCounters.Requests,
			Responses: r.WarmupCounters.Responses,
			Errors:    r.WarmupCounters.ErrorTotal(),
		}
	}
	total := r.Responses + r.WarmupCounters.Responses
	if cpu := r.Generator.CPUSec(); cpu > 0 && total > 0 {
		s.CPUMicrosPerReq = cpu * 1e6 / float64(total)
		s.RequestsPerCPUSec = float64(total) / cpu
	}
	s.RSSBytesPerConn = rssPerConn(r)
	return s
}

// rssPerConn is what the run added to the process's RSS per connection:
// the marginal cost, not the Go runtime's fixed floor. It is nil when no
// connection was ever open (a target that refused them all): the memory
// the run added then belongs to no connection, and a figure per
// connection would be invented.
func rssPerConn(r *Result) *float64 {
	if r.PeakOpenConns <= 0 {
		return nil
	}
	conns := max(r.PeakOpenConns, r.Connections)
	if r.Model == "hold" {
		// Per connection held: a hold stopped early, or refused, holds
		// fewer than it asked for, and those are what the memory held.
		conns = r.PeakOpenConns
	}
	v := float64(max(r.Generator.PeakRSSBytes-r.Generator.StartRSSBytes, 0)) / float64(conns)
	return &v
}

// FailedResponses returns the responses whose status is outside 200-399,
// as k6's http_req_failed and wrk's "Non-2xx or 3xx responses" count them:
// with the transport errors, the attempts Summary counts as failed.
func (c *Counters) FailedResponses() uint64 {
	return c.StatusClass(0) + c.StatusClass(1) + c.StatusClass(4) + c.StatusClass(5)
}

// AddPercentiles adds percentiles (0 to 100) beyond SummaryPercentiles to
// the latency, service-time and connect-time summaries of s, from r's
// histograms: the ones a threshold names, such as p95.
func AddPercentiles(s *Summary, r *Result, ps []float64) {
	for _, pair := range []struct {
		l *Latency
		h *hdrhistogram.Histogram
	}{{&s.Latency, r.Latency}, {&s.Service, r.Service}, {&s.Connect, r.Connect}} {
		if pair.l.Percentiles == nil {
			pair.l.Percentiles = map[string]float64{}
		}
		empty := pair.h == nil || pair.h.TotalCount() == 0
		for _, p := range ps {
			v := 0.0
			if !empty {
				v = float64(Quantile(pair.h, p)) / 1000
			}
			pair.l.Percentiles[PercentileKey(p)] = v
		}
	}
}
