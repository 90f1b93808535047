package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// Check is the verdict on one threshold or one baseline comparison; it is
// stats.Check, so summary.json can keep it.
type Check = stats.Check

// Failed reports whether any check failed.
func Failed(checks []Check) bool {
	for _, c := range checks {
		if !c.Passed {
			return true
		}
	}
	return false
}

// FailedList names the failed checks on one line, each with its reason
// in a few words, for the last line of a run that people skimming a CI
// log read: "p50 < 2ms (measured 2.16ms), rps >= 1000 (measured 812) and
// max < 10ms (measured 12.3ms)". Past most, it names the first most-1
// and says how many more ("and 3 more").
func FailedList(checks []Check, most int) string {
	var failed []string
	for _, c := range checks {
		if !c.Passed {
			failed = append(failed, c.Expr+" ("+briefReason(c.Reason)+")")
		}
	}
	if len(failed) > most {
		failed = append(failed[:most-1], fmt.Sprintf("%d more", len(failed)-(most-1)))
	}
	switch n := len(failed); n {
	case 0:
		return ""
	case 1:
		return failed[0]
	default:
		return strings.Join(failed[:n-1], ", ") + " and " + failed[n-1]
	}
}

// briefReason is a failed check's reason up to its first "; ": a
// threshold's "measured 2.16ms; want p50 < 2ms" says the want in the
// expression already, and a saturated run's reason goes on to explain.
func briefReason(reason string) string {
	brief, _, _ := strings.Cut(reason, "; ")
	return brief
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
	Expr      string  // as written
	Metric    string  // "p99", "service.p99", "p(95)", "rps", "error_rate", "errors.timeout", "status.5xx", ...
	Op        string  // <, <=, >, >= or ==
	Value     float64 // ms for latency, a fraction when Percent, else a number
	Percent   bool    // the value was a percentage: compare a share, not a count
	LimitText string  // the value as written, such as "20.35ms"

	kind       metricKind
	hist       string  // latency: "", "service" or "connect"
	stat       string  // latency: "max", "mean", "min", or "p" for a percentile
	percentile float64 // latency: the percentile (0 to 100) when stat is "p"
	errKey     string  // errors: the kind name, or "" for all
	status     string  // status: "200" or "5xx"
}

const thresholdForms = `want METRIC OP VALUE such as "p99 < 50ms", "rps >= 1000", "error_rate < 1%", "errors.timeout == 0" or "status.5xx < 0.1%"`

// statForms lists the latency statistics a threshold can name.
const statForms = "pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min"

// operatorHints are the misspelt operators worth a suggestion.
var operatorHints = map[string]string{"=<": "<=", "=>": ">=", "=": "==", "<<": "<", ">>": ">"}

// ParseThreshold parses one threshold expression.
func ParseThreshold(expr string) (Threshold, error) {
	t := Threshold{Expr: expr}
	bad := func(format string, args ...any) (Threshold, error) {
		return t, errmsg.New(fmt.Sprintf(format, args...), ErrThreshold)
	}
	i := strings.IndexAny(expr, "<>=!")
	if i < 0 {
		return bad("%q has no comparison; %s", expr, thresholdForms)
	}
	j := i
	for j < len(expr) && strings.ContainsRune("<>=!", rune(expr[j])) {
		j++
	}
	t.Op = expr[i:j]
	switch t.Op {
	case "<", "<=", ">", ">=", "==":
	default:
		if hint, ok := operatorHints[t.Op]; ok {
			return bad("%q: unknown operator %q; did you mean %q? want <, <=, >, >= or ==", expr, t.Op, hint)
		}
		return bad("%q: unknown operator %q; want <, <=, >, >= or ==", expr, t.Op)
	}
	t.Metric = strings.ToLower(strings.TrimSpace(expr[:i]))
	val := strings.TrimSpace(expr[j:])
	if t.Metric == "" || val == "" {
		return bad("%q is incomplete; %s", expr, thresholdForms)
	}
	t.LimitText = val
	if err := t.parseMetric(); err != "" {
		return bad("%q: %s", expr, err)
	}
	if err := t.parseValue(val); err != "" {
		return bad("%q: %s", expr, err)
	}
	if t.Op == "<" && t.Value == 0 && t.kind != kindLatency { // a latency is never below 1us: settledOutcome says so
		return bad("%q can never pass: %s is never below 0; want a limit above 0, or %s == 0", expr, t.Metric, t.Metric)
	}
	if msg := t.settledOutcome(); msg != "" {
		return t, errmsg.New(msg, ErrThreshold)
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
	if stat, p, msg, ok := parseStat(m); ok {
		if msg != "" {
			return msg
		}
		t.kind, t.hist, t.stat, t.percentile = kindLatency, hist, stat, p
		return ""
	}
	if hist != "" {
		return fmt.Sprintf("unknown statistic %q; want %s", m, statForms)
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
		return fmt.Sprintf("unknown metric %q; want a latency statistic (%s; or service.p99 ...), rps, error_rate, errors, errors.KIND or status.CODE", t.Metric, statForms)
	}
	return ""
}

// parseStat recognises a latency statistic: max, mean, min, or a
// percentile as pN or p(N). ok says m looks like one; msg says what is
// wrong with it when it is out of range.
func parseStat(m string) (stat string, p float64, msg string, ok bool) {
	switch m {
	case "max", "mean", "min":
		return m, 0, "", true
	}
	num, isP := strings.CutPrefix(m, "p")
	if !isP || num == "" {
		return "", 0, "", false
	}
	if inner, ok := strings.CutPrefix(num, "("); ok {
		if num, ok = strings.CutSuffix(inner, ")"); !ok {
			return "", 0, "", false
		}
	}
	if strings.Trim(num, "0123456789.") != "" {
		return "", 0, "", false
	}
	p, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil:
		return "", 0, fmt.Sprintf("unknown statistic %q; want %s", m, statForms), true
	case p <= 0:
		return "", 0, fmt.Sprintf("percentile %q is not above 0; want %s (the smallest value is min)", m, statForms), true
	case p >= 100:
		return "", 0, fmt.Sprintf("percentile %q is not below 100; want %s (the largest value is max)", m, statForms), true
	}
	return "p", p, "", true
}

func (t *Threshold) parseValue(v string) string {
	switch t.kind {
	case kindLatency:
		ms, ok := parseLatencyMs(v)
		if !ok {
			return fmt.Sprintf("%q is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m", v)
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
		switch {
		case !ok && err == nil && f > 0 && !isNaNOrInf(f):
			return fmt.Sprintf("%q is not a percentage; want a value with its %% sign: did you mean %s?", v, shareHint(f))
		case !ok || err != nil || f < 0 || isNaNOrInf(f):
			return fmt.Sprintf("%q is not a percentage; want a value such as 1%%", v)
		}
		t.Value, t.Percent = f/100, true
	default: // errors and status: a count, or a share with %
		num, pct := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f < 0 || isNaNOrInf(f) {
			return fmt.Sprintf("%q is not a count or a percentage; want a value such as 0 or 0.1%%", v)
		}
		if !pct && f != math.Trunc(f) {
			return fmt.Sprintf("%q is not a count; want a whole number such as 0 or 10, or a share with its %% sign: did you mean %s?", v, shareHint(f))
		}
		if pct {
			f /= 100
		}
		t.Value, t.Percent = f, pct
	}
	return ""
}

// shareHint is the percentage a number written without its % sign most
// likely meant: a fraction below 1 is a share as k6 writes one (0.99 ->
// "99%", 0.01 -> "1%"), any other the percentage itself (2.5 -> "2.5%").
func shareHint(f float64) string {
	if f < 1 {
		return marginText(f)
	}
	return marginText(f / 100)
}

// parseLatencyMs parses "50ms", "250us", "250µs", "1.5s", "50 ms", and
// every duration Go's time.ParseDuration takes ("1m", "1m30s"), as the
// durations of scenario files, to milliseconds.
func parseLatencyMs(v string) (float64, bool) {
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 1e-3}, {"µs", 1e-3}, {"ms", 1}, {"s", 1000}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err == nil && f >= 0 && !isNaNOrInf(f) {
				return f * u.ms, true
			}
			break
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, false
	}
	return float64(d) / float64(time.Millisecond), true
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

// Percentiles returns the latency percentiles (0 to 100) the scenario's
// thresholds name beyond stats.SummaryPercentiles, for the caller to add
// to the summary (stats.AddPercentiles) before Evaluate.
func (s *Scenario) Percentiles() []float64 {
	var out []float64
	seen := map[float64]bool{}
	for _, p := range stats.SummaryPercentiles {
		seen[p] = true
	}
	for _, e := range s.Thresholds {
		t, err := ParseThreshold(e)
		if err != nil || t.kind != kindLatency || t.stat != "p" || seen[t.percentile] {
			continue
		}
		seen[t.percentile] = true
		out = append(out, t.percentile)
	}
	return out
}
