package scenarios

import (
	"fmt"
	"math"

	"github.com/nowait/nowait/stats"
)

// metricRange is the values a threshold's metric can take. A limit at or
// beyond its ends can make a comparison that is settled before the run:
// "p99 < 0.5us" never passes (latencies are recorded from 1 µs) and
// "error_rate <= 100%" always does.
type metricRange struct {
	lo, hi         float64 // in the threshold's unit (ms, a fraction, a count); hi may be +Inf
	loText, hiText string  // the ends as a limit is written: "1us", "0%", "100%"
	why            string  // what bounds the metric, for people
	example        string  // a limit well inside the range, such as "50ms"
}

// minLatencyMs is the smallest latency nowait records: histograms start at
// stats.LowestUs and shorter times are recorded as it.
const minLatencyMs = float64(stats.LowestUs) / 1e3

// valueRange returns the values t's metric can take.
func (t *Threshold) valueRange() metricRange {
	switch {
	case t.kind == kindLatency:
		return metricRange{lo: minLatencyMs, hi: math.Inf(1), loText: "1us",
			why: t.Metric + " is never below 1us, the shortest time nowait records", example: "50ms"}
	case t.Percent: // error_rate, and errors or status as a share
		return metricRange{lo: 0, hi: 1, loText: "0%", hiText: "100%",
			why: t.Metric + " is a share, from 0% to 100%", example: "1%"}
	case t.kind == kindRPS:
		return metricRange{lo: 0, hi: math.Inf(1), loText: "0", why: "rps is never below 0", example: "1000"}
	}
	return metricRange{lo: 0, hi: math.Inf(1), loText: "0", why: t.Metric + " is never below 0", example: "10"}
}

// settledOutcome says what is wrong with t when its outcome is known
// before the run, because its limit is at or beyond an end of what the
// metric can take, or "" when the run decides it. The message says which
// limits would make sense.
//
//	op    never passes when     always passes when
//	<     limit <= lo           limit > hi
//	<=    limit < lo            limit >= hi
//	>     limit >= hi           limit < lo
//	>=    limit > hi            limit <= lo
//	==    limit < lo or > hi    (never: lo < hi)
func (t *Threshold) settledOutcome() string {
	r := t.valueRange()
	v := t.Value
	var never, always bool
	switch t.Op {
	case "<":
		never, always = v <= r.lo, v > r.hi
	case "<=":
		never, always = v < r.lo, v >= r.hi
	case ">":
		never, always = v >= r.hi, v < r.lo
	case ">=":
		never, always = v > r.hi, v <= r.lo
	case "==":
		never = v < r.lo || v > r.hi
	}
	if !never && !always {
		return ""
	}
	verdict := "can never pass"
	if always {
		verdict = "always passes"
	}
	// Why the strict forms: "p99 < 1us" and "p99 >= 1us" are settled at
	// the bound itself, "p99 <= 1us" and "p99 > 1us" are not.
	var want string
	switch {
	case v <= r.lo && (t.Op == "<" || t.Op == ">="):
		want = "above " + r.loText
	case v <= r.lo:
		want = "of " + r.loText + " or more"
	case t.Op == "<=" || t.Op == ">":
		want = "below " + r.hiText
	default:
		want = "of " + r.hiText + " or less"
	}
	return fmt.Sprintf("%q %s: %s; want a limit %s, such as %s %s %s", t.Expr, verdict, r.why, want, t.Metric, t.Op, r.example)
}
