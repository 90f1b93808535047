package engine

import (
	"fmt"
	"math"
	"strconv"

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
}

// Saturation thresholds: the achieved rate must be within 1% of the
// schedule, and sends may lag it by at most 10 ms at the p99.
const (
	minAchieved   = 0.99
	maxSendLagP99 = 10.0 // ms
)

// Saturation says whether an open run kept its schedule and, when not,
// names the likely cause: no connection at all, too few connections for the target's latency,
// connections slow to open (a connect storm), or else a generator (or
// target) too slow to send on time. QueuePeak is
// the requests that were due and waiting at the worst moment, estimated as
// the longest send lag times the scheduled rate.
func Saturation(in SatInput) stats.Saturation {
	queue := int64(in.SendLagMax / 1e3 * in.Rate)
	if in.Rate <= 0 || (in.Achieved >= minAchieved*in.Rate && in.SendLagP99 <= maxSendLagP99) {
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
				"too few connections for the latency: %s %s × pipeline %d at p50 %.1f ms hold at most %s req/s (scheduled %s req/s)",
				stats.GroupDigits(int64(in.Connections)), conns, in.Pipeline, in.LatencyP50, perSec(capacity), perSec(in.Rate))}
		}
	}
	if in.ConnectP99 > maxSendLagP99 && in.ConnectP99 >= in.SendLagP99/2 {
		return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
			"connections were slow to open (connect p99 %.0f ms) and requests due meanwhile waited for them (send lag p99 %.0f ms): use a --warmup longer than the connects, or fewer connections",
			in.ConnectP99, in.SendLagP99)}
	}
	return stats.Saturation{Saturated: true, QueuePeak: queue, Reason: fmt.Sprintf(
		"generator CPU or target too slow: sends lagged the schedule by p99 %.1f ms (achieved %s of %s req/s)",
		in.SendLagP99, perSec(in.Achieved), perSec(in.Rate))}
}

// perSec formats a rate or count rounded to a whole number, with
// thousands separators: 50000 -> "50,000"; below 10, one decimal.
func perSec(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return stats.GroupDigits(int64(math.Round(v)))
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
	})
}
