package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nowait/nowait/stats"
)

// Check is the verdict on one threshold or one baseline comparison.
type Check struct {
	Group    string // "thresholds" or "baseline"; the JUnit class name
	Expr     string // what was checked, such as "p99 < 50ms"
	Passed   bool
	Measured string // the measured value, such as "12.1ms"
	Reason   string // why it failed; "" when it passed
}

// String is the check on one line: "PASS p99 < 50ms (45.0ms)" or
// "FAIL p99 < 50ms: measured 72.4ms; want p99 < 50.0ms".
func (c Check) String() string {
	if c.Passed {
		if c.Measured == "" {
			return "PASS " + c.Expr
		}
		return "PASS " + c.Expr + " (" + c.Measured + ")"
	}
	return "FAIL " + c.Expr + ": " + c.Reason
}

// Failed reports whether any check failed.
func Failed(checks []Check) bool {
	for _, c := range checks {
		if !c.Passed {
			return true
		}
	}
	return false
}

// metricKind is what a threshold measures.
type metricKind uint8

const (
	kindLatency   metricKind = iota // a latency statistic, in ms
	kindRPS                         // responses per second
	kindErrorRate                   // failed attempts / attempts, a fraction (stats.Summary.ErrorRate)
	kindErrors                      // errors of a kind (or all), a count or a share of the attempts
	kindStatus                      // responses of a status code or class, a count or a share
)

// Threshold is a parsed pass/fail expression: METRIC OP VALUE.
type Threshold struct {
	Expr    string  // as written
	Metric  string  // "p99", "service.p99", "rps", "error_rate", "errors.timeout", "status.5xx", ...
	Op      string  // <, <=, >, >= or ==
	Value   float64 // ms for latency, a fraction when Percent, else a number
	Percent bool    // the value was a percentage: compare a share, not a count

	kind   metricKind
	hist   string // latency: "", "service" or "connect"
	stat   string // latency: "p99", "max", "mean", "min"
	errKey string // errors: the kind name, or "" for all
	status string // status: "200" or "5xx"
}

// The latency statistics a threshold can name.
var latencyStats = map[string]float64{
	"p50": 50, "p75": 75, "p90": 90, "p99": 99, "p99.9": 99.9, "p99.99": 99.99,
	"max": -1, "mean": -1, "min": -1,
}

const thresholdForms = `want METRIC OP VALUE such as "p99 < 50ms", "rps >= 1000", "error_rate < 1%", "errors.timeout == 0" or "status.5xx < 0.1%"`

// ParseThreshold parses one threshold expression.
func ParseThreshold(expr string) (Threshold, error) {
	t := Threshold{Expr: expr}
	bad := func(format string, args ...any) (Threshold, error) {
		return t, &wrapped{ErrThreshold, fmt.Sprintf(format, args...)}
	}
	i := strings.IndexAny(expr, "<>=!")
	if i < 0 {
		return bad("%q has no comparison; %s", expr, thresholdForms)
	}
	t.Op = expr[i : i+1]
	if i+1 < len(expr) && expr[i+1] == '=' {
		t.Op = expr[i : i+2]
	}
	switch t.Op {
	case "<", "<=", ">", ">=", "==":
	default:
		return bad("%q: unknown operator %q; want <, <=, >, >= or ==", expr, t.Op)
	}
	t.Metric = strings.ToLower(strings.TrimSpace(expr[:i]))
	val := strings.TrimSpace(expr[i+len(t.Op):])
	if t.Metric == "" || val == "" {
		return bad("%q is incomplete; %s", expr, thresholdForms)
	}
	if err := t.parseMetric(); err != "" {
		return bad("%q: %s", expr, err)
	}
	if err := t.parseValue(val); err != "" {
		return bad("%q: %s", expr, err)
	}
	return t, nil
}

func (t *Threshold) parseMetric() string {
	m := t.Metric
	hist := ""
	for _, h := range []string{"latency.", "service.", "connect."} {
		if rest, ok := strings.CutPrefix(m, h); ok {
			hist, m = strings.TrimSuffix(h, "."), rest
			if hist == "latency" {
				hist = ""
			}
			break
		}
	}
	if _, ok := latencyStats[m]; ok {
		t.kind, t.hist, t.stat = kindLatency, hist, m
		return ""
	}
	if hist != "" {
		return fmt.Sprintf("unknown statistic %q; want p50, p75, p90, p99, p99.9, p99.99, max, mean or min", m)
	}
	switch {
	case m == "rps":
		t.kind = kindRPS
	case m == "error_rate":
		t.kind = kindErrorRate
	case m == "errors":
		t.kind = kindErrors
	case strings.HasPrefix(m, "errors."):
		t.kind, t.errKey = kindErrors, strings.TrimPrefix(m, "errors.")
		if _, ok := stats.ErrorKindByName(t.errKey); !ok {
			return fmt.Sprintf("unknown error kind %q; want one of %s", t.errKey, errorKindList())
		}
	case strings.HasPrefix(m, "status."):
		t.kind, t.status = kindStatus, strings.TrimPrefix(m, "status.")
		if !validStatus(t.status) {
			return fmt.Sprintf("unknown status %q; want a code such as 200 or a class such as 5xx", t.status)
		}
	default:
		return fmt.Sprintf("unknown metric %q; want p50, p75, p90, p99, p99.9, p99.99, max, mean, min (or service.p99 ...), rps, error_rate, errors, errors.KIND or status.CODE", t.Metric)
	}
	return ""
}

func (t *Threshold) parseValue(v string) string {
	switch t.kind {
	case kindLatency:
		ms, ok := parseLatencyMs(v)
		if !ok {
			return fmt.Sprintf("%q is not a latency; want a number with a unit (us, ms or s) such as 50ms", v)
		}
		t.Value = ms
	case kindRPS:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || isNaNOrInf(f) {
			return fmt.Sprintf("%q is not a rate; want a number of requests per second such as 1000", v)
		}
		t.Value = f
	case kindErrorRate:
		if v == "0" {
			t.Value, t.Percent = 0, true
			return ""
		}
		num, ok := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if !ok || err != nil || f < 0 || f > 100 {
			return fmt.Sprintf("%q is not a percentage; want a value such as 1%%", v)
		}
		t.Value, t.Percent = f/100, true
	default: // errors and status: a count, or a share with %
		num, pct := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f < 0 || isNaNOrInf(f) || (pct && f > 100) {
			return fmt.Sprintf("%q is not a count or a percentage; want a value such as 0 or 0.1%%", v)
		}
		if pct {
			f /= 100
		}
		t.Value, t.Percent = f, pct
	}
	return ""
}

// parseLatencyMs parses "50ms", "250us", "250µs", "1.5s" to milliseconds.
func parseLatencyMs(v string) (float64, bool) {
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 1e-3}, {"µs", 1e-3}, {"ms", 1}, {"s", 1000}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || f < 0 || isNaNOrInf(f) {
				return 0, false
			}
			return f * u.ms, true
		}
	}
	return 0, false
}

func validStatus(s string) bool {
	if len(s) != 3 {
		return false
	}
	if s[1:] == "xx" {
		return s[0] >= '1' && s[0] <= '5'
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n < stats.MaxStatus
}

func errorKindList() string {
	names := make([]string, 0, stats.NumErrorKinds)
	for k := stats.ErrorKind(0); k < stats.NumErrorKinds; k++ {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}

// Evaluate judges the summary of a run against the threshold.
func (t Threshold) Evaluate(sum stats.Summary) Check {
	c := Check{Group: "thresholds", Expr: t.Expr}
	var got float64
	var problem string
	switch t.kind {
	case kindLatency:
		l := sum.Latency
		switch t.hist {
		case "service":
			l = sum.Service
		case "connect":
			l = sum.Connect
		}
		got = latencyStat(l, t.stat)
		c.Measured = FormatMs(got)
		switch {
		case l.Count == 0:
			problem = "no latency was measured"
		case sum.Saturation.Saturated:
			problem = "generator saturated: " + sum.Saturation.Reason + "; its latency numbers do not measure the target"
		}
	case kindRPS:
		got = sum.RequestsPerSec
		c.Measured = strconv.FormatFloat(got, 'f', 1, 64)
	case kindErrorRate:
		got = sum.ErrorRate
		c.Measured = fmt.Sprintf("%s (%d failed of %d attempts)", formatPercent(got), sum.Failed, sum.Attempts())
		if sum.Attempts() == 0 {
			problem = "no request was measured"
		}
	case kindErrors:
		n := sum.ErrorTotal
		if t.errKey != "" {
			n = sum.Errors[t.errKey]
		}
		got, c.Measured, problem = share(t.Percent, n, sum.Attempts(), "attempts", "no request was measured")
	case kindStatus:
		got, c.Measured, problem = share(t.Percent, statusCount(sum.Status, t.status), sum.Responses, "responses", "no response was measured")
	}
	c.Passed = problem == "" && compare(got, t.Op, t.Value)
	switch {
	case problem != "":
		c.Reason = problem
	case !c.Passed:
		c.Reason = fmt.Sprintf("measured %s; want %s %s %s", c.Measured, t.Metric, t.Op, t.formatLimit())
	}
	return c
}

// share returns n as a count, or as a share of total (named by what, such
// as "attempts") when pct.
func share(pct bool, n, total uint64, what, empty string) (float64, string, string) {
	if !pct {
		return float64(n), strconv.FormatUint(n, 10), ""
	}
	if total == 0 {
		return 0, "0 of 0 " + what, empty
	}
	f := float64(n) / float64(total)
	return f, fmt.Sprintf("%s (%d of %d %s)", formatPercent(f), n, total, what), ""
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

func latencyStat(l stats.Latency, stat string) float64 {
	switch stat {
	case "max":
		return l.MaxMs
	case "mean":
		return l.MeanMs
	case "min":
		return l.MinMs
	}
	return l.P(latencyStats[stat])
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

func (t Threshold) formatLimit() string {
	switch {
	case t.kind == kindLatency:
		return FormatMs(t.Value)
	case t.Percent:
		return formatPercent(t.Value)
	}
	return strconv.FormatFloat(t.Value, 'f', -1, 64)
}

// FormatMs formats milliseconds for people: "850µs", "12.1ms", "1.20s".
func FormatMs(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'f', 0, 64) + "µs"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + "s"
}

// formatPercent formats a fraction as a percentage with enough digits.
func formatPercent(f float64) string {
	p := f * 100
	switch {
	case p == 0 || p >= 10:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p >= 0.1:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

// ParseThresholds parses every expression; the first error is returned.
func ParseThresholds(exprs []string) ([]Threshold, error) {
	out := make([]Threshold, 0, len(exprs))
	for _, e := range exprs {
		t, err := ParseThreshold(e)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
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
