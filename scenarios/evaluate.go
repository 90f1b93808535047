package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nowait/nowait/stats"
)

// noAttempt is the problem of a share of the attempts when there were none.
const noAttempt = "nothing was measured: no request was sent and no connect tried"

// groupDigits writes a count with thousands separators: 10,025.
func groupDigits(n uint64) string { return stats.GroupDigits(int64(n)) }

// maxExtraDigits bounds the digits added to a measured value to tell it
// from its limit: HdrHistogram keeps microseconds, three decimals of ms.
const maxExtraDigits = 4

// Evaluate judges the summary of a run against the threshold.
func (t Threshold) Evaluate(sum stats.Summary) Check {
	c := Check{Group: "thresholds", Expr: t.Expr, Limit: t.LimitText}
	var (
		got     float64
		format  func(v float64, extra int) string // the measured value for people, with extra digits
		suffix  string                            // after the value: "(12 of 100 attempts)"
		problem string
	)
	switch t.kind {
	case kindLatency:
		l := sum.Latency
		switch t.hist {
		case "service":
			l = sum.Service
		case "connect":
			l = sum.Connect
		}
		var ok bool
		got, ok = latencyStat(l, t.stat, t.percentile)
		format = formatMsDigits
		switch {
		case l.Count == 0:
			problem = "nothing was measured: no response arrived"
		case !ok:
			problem = fmt.Sprintf("the summary has no percentile %s (stats.AddPercentiles adds it)", stats.PercentileKey(t.percentile))
		}
	case kindRPS:
		got = sum.RequestsPerSec
		decimals := max(writtenDecimals(t.LimitText), 0) // as the limit is written
		format = func(v float64, extra int) string { return stats.GroupFloat(v, decimals+extra) }
	case kindErrorRate:
		got, format = sum.ErrorRate, formatPercentDigits
		suffix = fmt.Sprintf(", %s failed of %s attempts", groupDigits(sum.Failed), groupDigits(sum.Attempts()))
		if sum.Attempts() == 0 {
			problem = noAttempt
		}
	case kindErrors:
		n := sum.ErrorTotal
		if t.errKey != "" {
			n = sum.Errors[t.errKey]
		}
		got, format, suffix, problem = share(t.Percent, n, sum.Attempts(), "attempts", noAttempt)
	case kindStatus:
		got, format, suffix, problem = share(t.Percent, statusCount(sum.Status, t.status), sum.Responses, "responses", "nothing was measured: no response arrived")
	}
	c.Value = got
	if problem == "" { // else nothing was measured, and no number is quoted as if it had been
		c.Measured = distinctFrom(format, got, t.Value) + suffix
	}
	c.Passed = problem == "" && compare(got, t.Op, t.Value)
	want := fmt.Sprintf("%s %s %s", t.Metric, t.Op, t.limitLikeMeasured())
	switch {
	case problem != "":
		c.Reason = problem
	case t.kind == kindLatency && sum.Saturation.Saturated && c.Passed && boundHolds(t.Op, sum.Saturation):
		c.Note = saturatedNote(sum.Saturation)
	case t.kind == kindLatency && sum.Saturation.Saturated:
		// A saturated generator's latency measures the generator too: a
		// lower bound, or an upper bound it breached or whose requests it
		// left unsent, fails whatever the numbers, which are still quoted.
		c.Passed = false
		c.Reason = fmt.Sprintf("schedule not kept: %s; its latency numbers do not measure the target (measured %s; want %s)",
			sum.Saturation.Reason, c.Measured, want)
	case !c.Passed:
		c.Reason = fmt.Sprintf("measured %s; want %s", c.Measured, want)
	}
	return c
}

// limitLikeMeasured is the limit as written, its number grouped as the
// measured value is when it is a plain number (a rate or a count):
// "100,000" for "rps >= 100000", beside "measured 1,787".
func (t Threshold) limitLikeMeasured() string {
	if t.kind == kindRPS || (!t.Percent && (t.kind == kindErrors || t.kind == kindStatus)) {
		return stats.GroupFloat(t.Value, writtenDecimals(t.LimitText))
	}
	return t.LimitText
}

// writtenDecimals returns the digits written after the point of a plain
// number ("1000.05": 2, "1000": 0), or -1 for one with an exponent
// ("1e5"), which has no decimals to follow.
func writtenDecimals(num string) int {
	if strings.ContainsAny(num, "eE") {
		return -1
	}
	if _, frac, ok := strings.Cut(num, "."); ok {
		return len(strings.TrimSpace(frac))
	}
	return 0
}

// boundHolds reports whether a latency check that passed holds although
// the schedule was not kept: an upper bound (< or <=) on a run that sent the
// requests due, late. Their latency from the intended send counts the
// lag, and a slow generator only adds to service and connect times, so
// what the target took is no more than what was measured. A lower bound
// could be met by the lag alone, and a run that left requests unsent
// measured neither their latency nor the load planned: both fail.
func boundHolds(op string, sat stats.Saturation) bool {
	return sat.RateKept && (op == "<" || op == "<=")
}

// saturatedNote is the note of a latency check that holds although the
// schedule was not kept.
func saturatedNote(sat stats.Saturation) string {
	return "holds although the schedule was not kept (" + sat.Reason + "): the latency measured counts its lag, so the target's own is no higher"
}

// distinctFrom formats got with as many extra digits as it takes to tell
// it from limit, so that "measured 20.36ms; want p50 < 20.35ms" never
// reads "measured 20.4ms; want p50 < 20.4ms".
func distinctFrom(format func(float64, int) string, got, limit float64) string {
	for extra := 0; extra < maxExtraDigits; extra++ {
		if got == limit || format(got, extra) != format(limit, extra) {
			return format(got, extra)
		}
	}
	return format(got, maxExtraDigits)
}

// share returns n as a count, or as a share of total (named by what, such
// as "attempts") when pct: the value, its format, the text after it, and
// the problem when there is nothing to share.
func share(pct bool, n, total uint64, what, empty string) (float64, func(float64, int) string, string, string) {
	if !pct {
		return float64(n), func(v float64, _ int) string { return stats.GroupFloat(v, 0) }, "", ""
	}
	suffix := fmt.Sprintf(", %s of %s %s", groupDigits(n), groupDigits(total), what)
	if total == 0 {
		return 0, formatPercentDigits, suffix, empty
	}
	return float64(n) / float64(total), formatPercentDigits, suffix, ""
}

func statusCount(status map[string]uint64, want string) uint64 {
	if want[1:] != "xx" {
		return status[want]
	}
	var n uint64
	for code, c := range status {
		if len(code) == 3 && code[0] == want[0] {
			n += c
		}
	}
	return n
}

// latencyStat returns a statistic of l in ms; ok is false for a
// percentile the summary does not hold.
func latencyStat(l stats.Latency, stat string, percentile float64) (float64, bool) {
	switch stat {
	case "max":
		return l.MaxMs, true
	case "mean":
		return l.MeanMs, true
	case "min":
		return l.MinMs, true
	}
	v, ok := l.Percentiles[stats.PercentileKey(percentile)]
	return v, ok
}

func compare(got float64, op string, limit float64) bool {
	switch op {
	case "<":
		return got < limit
	case "<=":
		return got <= limit
	case ">":
		return got > limit
	case ">=":
		return got >= limit
	case "==":
		return got == limit
	}
	return false
}

// FormatMs formats milliseconds for people: "850µs", "12.1ms", "1.20s".
func FormatMs(ms float64) string { return formatMsDigits(ms, 0) }

// formatMsDigits is FormatMs with extra decimals.
func formatMsDigits(ms float64, extra int) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'f', extra, 64) + "µs"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2+extra, 64) + "ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1+extra, 64) + "ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', extra, 64) + "ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2+extra, 64) + "s"
}

// formatPercent formats a fraction as a percentage with enough digits.
func formatPercent(f float64) string { return formatPercentDigits(f, 0) }

// formatPercentDigits is formatPercent with extra digits.
func formatPercentDigits(f float64, extra int) string {
	p := f * 100
	switch {
	case p == 0 || p >= 10:
		return strconv.FormatFloat(p, 'f', 1+extra, 64) + "%"
	case p >= 0.1:
		return strconv.FormatFloat(p, 'f', 2+extra, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2+extra, 64) + "%"
}

// Evaluate judges a run's summary against every threshold of the
// scenario, in order. A threshold that does not parse is a failed check
// (Validate reports it before a run).
func (s *Scenario) Evaluate(sum stats.Summary) []Check {
	checks := make([]Check, 0, len(s.Thresholds))
	for _, e := range s.Thresholds {
		t, err := ParseThreshold(e)
		if err != nil {
			checks = append(checks, Check{Group: "thresholds", Expr: e, Reason: err.Error()})
			continue
		}
		checks = append(checks, t.Evaluate(sum))
	}
	return checks
}
