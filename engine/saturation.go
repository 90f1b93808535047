package engine

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nowait/nowait/stats"
)

// Scheduled returns how many requests of sched are due in [from, to), in
// nanoseconds on the run clock.
func Scheduled(sched *Schedule, from, to int64) int64 {
	return FirstAt(sched, to) - FirstAt(sched, from)
}

// FirstAt returns the index of the first request of sched due at or after
// t (so, the count of those due before it), by doubling then bisection.
func FirstAt(sched *Schedule, t int64) int64 {
	before := func(n int64) bool {
		d, ok := sched.Due(n)
		return ok && d < t
	}
	if !before(0) {
		return 0
	}
	hi := int64(1)
	for before(hi) {
		hi *= 2
	}
	lo := hi / 2 // before(lo) holds, before(hi) does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if before(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// SatInput is what the saturation verdict of an open run is made from.
type SatInput struct {
	Rate         float64 // scheduled requests per second over the measured part
	Achieved     float64 // requests sent per second: answered, failed or still in flight
	SendLagP99   float64 // ms
	SendLagMax   float64 // ms
	LatencyP50   float64 // service time p50, ms
	ConnectP99   float64 // connect time p99, ms
	Connections  int
	Pipeline     int
	NoConnection bool // no connection was ever opened (every connect failed)

	// HeldMs is how long the target left a connection's worth of requests
	// unanswered: the (Connections × Pipeline)-th longest of the service
	// times, a request that timed out counting as the timeout. 0 when
	// fewer requests were measured.
	HeldMs        float64
	InFlightAtEnd uint64 // requests unanswered when the run stopped
	Unsent        uint64 // requests due in the measured part that were never sent
}

// Saturation thresholds: the achieved rate must be within 1% of the
// schedule, and sends may lag it by at most 10 ms at the p99.
const (
	minAchieved   = 0.99
	maxSendLagP99 = 10.0 // ms
)

// What the target holding every connection explains. When the target
// stalls, every connection waits on it, and the requests due meanwhile
// wait for a free one: their send lag is about the hold of the requests
// that took the connections as the stall began, and the latency from the
// intended send counts it, as it should. A generator short of CPU lags
// with connections free, or for longer than any response took, so it is
// not explained: the lag's p99 must stay within 1/heldLagShare of the
// hold. A run that ends in a hold leaves the requests due since unsent;
// at most those due over heldEndFactor holds are explained.
const (
	heldLagShare  = 0.5
	heldEndFactor = 2.0
)

// Saturation says whether an open run kept its schedule and, when not,
// names the likely cause: no connection at all, too few connections for
// the target's latency, connections slow to open (a connect storm), the
// target holding every connection as the run ended, or else a generator
// (or target) too slow to send on time. A run whose sends lagged, or
// whose end went unsent, only because the target held every connection
// is not saturated: its latency from the intended send measures the
// target, and Note says why the sends were late. QueuePeak is the
// requests that were due and waiting at the worst moment, estimated as
// the longest send lag times the scheduled rate. A saturated run that
// sent the requests due, late, has RateKept: its latency from the
// intended send counts the lag.
func Saturation(in SatInput) stats.Saturation {
	s := verdict(in)
	if s.Saturated {
		s.RateKept = in.Rate > 0 && in.Achieved >= minAchieved*in.Rate
	}
	return s
}

// verdict is Saturation without RateKept.
func verdict(in SatInput) stats.Saturation {
	queue := int64(in.SendLagMax / 1e3 * in.Rate)
	lagKept := in.SendLagP99 <= maxSendLagP99
	sentKept := in.Achieved >= minAchieved*in.Rate
	if in.Rate <= 0 || (sentKept && lagKept) {
		return stats.Saturation{QueuePeak: queue}
	}
	if in.NoConnection {
		return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: "no connection could be made, so no request could be sent (see the errors)"}
	}
	if in.LatencyP50 > 0 {
		capacity := float64(in.Connections*in.Pipeline) / (in.LatencyP50 / 1e3)
		if capacity < in.Rate {
			conns := "connections"
			if in.Connections == 1 {
				conns = "connection"
			}
			return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
				"too few connections for the latency: %s %s × pipeline %d at p50 %s hold at most %s req/s (scheduled %s req/s)",
				stats.GroupDigits(int64(in.Connections)), conns, in.Pipeline, stats.FormatMs(in.LatencyP50), perSec(capacity), perSec(in.Rate))}
		}
	}
	if in.ConnectP99 > maxSendLagP99 && in.ConnectP99 >= in.SendLagP99/2 {
		return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
			"connections were slow to open (connect p99 %s) and requests due meanwhile waited for them (send lag p99 %s): use a --warmup longer than the connects, or fewer connections",
			stats.FormatMs(in.ConnectP99), stats.FormatMs(in.SendLagP99))}
	}
	slots := in.Connections * in.Pipeline
	lagHeld := !lagKept && in.HeldMs > 0 && in.HeldMs >= heldLagShare*in.SendLagP99
	endHeld := !sentKept && slots > 0 && in.InFlightAtEnd >= uint64(slots)
	if lagKept || lagHeld {
		switch {
		case sentKept || (endHeld && float64(in.Unsent) <= heldEndFactor*in.Rate*in.HeldMs/1e3):
			return stats.Saturation{QueuePeak: queue, Note: heldNote(in, lagHeld, endHeld)}
		case endHeld:
			return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
				"the run ended while the target held %s: the %s due meanwhile never went out, and the latency leaves them out",
				allConns(in), requests(int(in.Unsent)))}
		}
	}
	kept := ""
	if sentKept {
		kept = ", though the rate was kept"
	}
	return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
		"generator CPU or target too slow: sends lagged the schedule by p99 %s%s (achieved %s of %s req/s)",
		stats.FormatMs(in.SendLagP99), kept, perSec(in.Achieved), perSec(in.Rate))}
}

// heldNote says why the sends of a run that was not saturated were late
// or left unsent: the target held every connection mid-run (lagHeld),
// as the run ended (endHeld), or both.
func heldNote(in SatInput, lagHeld, endHeld bool) string {
	var parts []string
	if lagHeld {
		parts = append(parts, fmt.Sprintf(
			"sends waited for a free connection while the target held %s (%s unanswered for %s or more; send lag p99 %s): the latency from the intended send counts that wait, the service time does not",
			allConns(in), requests(in.Connections*in.Pipeline)+" went", stats.FormatMs(in.HeldMs), stats.FormatMs(in.SendLagP99)))
	}
	if endHeld {
		parts = append(parts, fmt.Sprintf("the run ended while the target held %s: the %s due meanwhile never went out",
			allConns(in), requests(int(in.Unsent))))
	}
	return strings.Join(parts, "; ")
}

// requests counts n requests: "1 request", "5,000 requests".
func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return stats.GroupDigits(int64(n)) + " requests"
}

// allConns names every connection of the run: "all 50 connections",
// "all 10 connections × pipeline 8", "its one connection".
func allConns(in SatInput) string {
	s := "all " + stats.GroupDigits(int64(in.Connections)) + " connections"
	if in.Connections == 1 {
		s = "its one connection"
	}
	if in.Pipeline > 1 {
		s += fmt.Sprintf(" × pipeline %d", in.Pipeline)
	}
	return s
}

// perSec formats a rate or count rounded to a whole number, with
// thousands separators: 50000 -> "50,000"; below 10, one decimal.
func perSec(v float64) string {
	if v < 10 {
		return stats.GroupFloat(v, 1)
	}
	return stats.GroupFloat(math.Round(v), 0)
}

// OpenSaturation judges an open run from its merged result: the schedule
// over the measured part against the requests sent (answered, failed or
// still in flight: a request the target failed was sent all the same, and
// the errors are the gates' to judge, not a shortfall of the generator),
// the send lag, and the service time. Every mode calls it after merging,
// so the verdict means the same in each.
func OpenSaturation(plan *Plan, sched *Schedule, res *stats.Result) stats.Saturation {
	secs := res.Elapsed.Seconds()
	if secs <= 0 {
		return stats.Saturation{}
	}
	from := int64(plan.Warmup)
	want := Scheduled(sched, from, from+int64(res.Elapsed))
	return Saturation(SatInput{
		Rate:         float64(want) / secs,
		Achieved:     float64(res.Requests) / secs,
		SendLagP99:   float64(res.SendLag.ValueAtQuantile(99)) / 1e3,
		SendLagMax:   float64(res.SendLag.Max()) / 1e3,
		LatencyP50:   float64(res.Service.ValueAtQuantile(50)) / 1e3,
		ConnectP99:   float64(res.Connect.ValueAtQuantile(99)) / 1e3,
		Connections:  plan.Connections,
		Pipeline:     plan.PipelineOrDefault(),
		NoConnection: res.Connects+res.WarmupCounters.Connects == 0,

		HeldMs:        heldMs(res, plan.Connections*plan.PipelineOrDefault(), plan.TimeoutOrDefault()),
		InFlightAtEnd: res.InFlightAtEnd,
		Unsent:        uint64(max(want-int64(res.Requests), 0)),
	})
}

// heldMs returns how long the target left slots requests unanswered, in
// ms: the slots-th longest of the service times, where each request that
// timed out counts as timeout (no answer came in time, so it is longer
// than any service time). 0 when fewer than slots were measured.
func heldMs(res *stats.Result, slots int, timeout time.Duration) float64 {
	timeouts := int64(res.Errors[stats.ErrTimeout])
	if slots <= 0 {
		return 0
	}
	if timeouts >= int64(slots) {
		return float64(timeout) / float64(time.Millisecond)
	}
	k, n := int64(slots)-timeouts, res.Service.TotalCount()
	if n < k {
		return 0
	}
	// The k-th longest of n is the (n-k+1)-th shortest.
	return float64(res.Service.ValueAtQuantile(100*float64(n-k+1)/float64(n))) / 1e3
}
