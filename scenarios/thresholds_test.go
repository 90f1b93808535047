package scenarios

import (
	"errors"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

func TestParseThreshold(t *testing.T) {
	cases := []struct {
		expr, metric, op string
		value            float64
		percent          bool
	}{
		{"p99 < 50ms", "p99", "<", 50, false},
		{"p99.9<=250us", "p99.9", "<=", 0.25, false},
		{"p99.99 < 1.5s", "p99.99", "<", 1500, false},
		{"  max <  2s ", "max", "<", 2000, false},
		{"mean < 10µs", "mean", "<", 0.01, false},
		{"P50 < 5ms", "p50", "<", 5, false},
		{"service.p99 < 40ms", "service.p99", "<", 40, false},
		{"latency.p75 < 1ms", "latency.p75", "<", 1, false},
		{"connect.max < 100ms", "connect.max", "<", 100, false},
		{"rps >= 1000", "rps", ">=", 1000, false},
		{"rps > 99.5", "rps", ">", 99.5, false},
		{"error_rate < 1%", "error_rate", "<", 0.01, true},
		{"error_rate == 0", "error_rate", "==", 0, true},
		{"errors.timeout == 0", "errors.timeout", "==", 0, false},
		{"errors < 0.5%", "errors", "<", 0.005, true},
		{"status.5xx < 0.1%", "status.5xx", "<", 0.001, true},
		{"status.200 >= 99%", "status.200", ">=", 0.99, true},
		{"status.404 == 0", "status.404", "==", 0, false},
		// Any percentile, and k6's p(N) form.
		{"p95 < 50ms", "p95", "<", 50, false},
		{"p99.5 < 50ms", "p99.5", "<", 50, false},
		{"p99.95 < 50ms", "p99.95", "<", 50, false},
		{"p(95) < 200ms", "p(95)", "<", 200, false},
		{"service.p(99.9) < 1s", "service.p(99.9)", "<", 1000, false},
		{"connect.p42 < 1ms", "connect.p42", "<", 1, false},
		// Durations as the scenario's other durations take them.
		{"p99 < 1m", "p99", "<", 60000, false},
		{"max < 1m30s", "max", "<", 90000, false},
		// At the ends of a metric's range, where the run still decides.
		{"p99 <= 1us", "p99", "<=", 0.001, false},
		{"min > 1us", "min", ">", 0.001, false},
		{"error_rate <= 0%", "error_rate", "<=", 0, true},
		{"error_rate >= 100%", "error_rate", ">=", 1, true},
		{"error_rate < 100%", "error_rate", "<", 1, true},
		{"status.200 == 100%", "status.200", "==", 1, true},
		{"rps > 0", "rps", ">", 0, false},
		{"errors.timeout <= 0", "errors.timeout", "<=", 0, false},
	}
	for _, c := range cases {
		th, err := ParseThreshold(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		if th.Metric != c.metric || th.Op != c.op || !near(th.Value, c.value) || th.Percent != c.percent {
			t.Errorf("%q: got %+v", c.expr, th)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// A threshold whose limit is at or beyond an end of what its metric can
// take is settled before the run: it is refused with what would make sense.
func TestParseThresholdSettledBeforeTheRun(t *testing.T) {
	const latency = "is never below 1us, the shortest time nowait records"
	const share = "is a share, from 0% to 100%"
	cases := []struct{ expr, want string }{
		// Latencies are recorded from 1 µs: below it, or at it with < and >=.
		{"p99 < 1ns", `"p99 < 1ns" can never pass: p99 ` + latency + `; want a limit above 1us, such as p99 < 50ms`},
		{"p99 < 0.5us", `"p99 < 0.5us" can never pass: p99 ` + latency + `; want a limit above 1us, such as p99 < 50ms`},
		{"p99 < 1us", `"p99 < 1us" can never pass: p99 ` + latency + `; want a limit above 1us, such as p99 < 50ms`},
		{"service.p99 <= 0.5us", `"service.p99 <= 0.5us" can never pass: service.p99 ` + latency + `; want a limit of 1us or more, such as service.p99 <= 50ms`},
		{"max == 999ns", `"max == 999ns" can never pass: max ` + latency + `; want a limit of 1us or more, such as max == 50ms`},
		{"p99 <= 0ms", `"p99 <= 0ms" can never pass: p99 ` + latency + `; want a limit of 1us or more, such as p99 <= 50ms`},
		{"p99 >= 0ms", `"p99 >= 0ms" always passes: p99 ` + latency + `; want a limit above 1us, such as p99 >= 50ms`},
		{"connect.p99 >= 1us", `"connect.p99 >= 1us" always passes: connect.p99 ` + latency + `; want a limit above 1us, such as connect.p99 >= 50ms`},
		{"mean > 0.5us", `"mean > 0.5us" always passes: mean ` + latency + `; want a limit of 1us or more, such as mean > 50ms`},
		// A rate or a share is 0% to 100%.
		{"error_rate < 150%", `"error_rate < 150%" always passes: error_rate ` + share + `; want a limit of 100% or less, such as error_rate < 1%`},
		{"error_rate <= 100%", `"error_rate <= 100%" always passes: error_rate ` + share + `; want a limit below 100%, such as error_rate <= 1%`},
		{"error_rate > 100%", `"error_rate > 100%" can never pass: error_rate ` + share + `; want a limit below 100%, such as error_rate > 1%`},
		{"error_rate >= 101%", `"error_rate >= 101%" can never pass: error_rate ` + share + `; want a limit of 100% or less, such as error_rate >= 1%`},
		{"error_rate == 200%", `"error_rate == 200%" can never pass: error_rate ` + share + `; want a limit of 100% or less, such as error_rate == 1%`},
		{"error_rate >= 0%", `"error_rate >= 0%" always passes: error_rate ` + share + `; want a limit above 0%, such as error_rate >= 1%`},
		{"errors < 150%", `"errors < 150%" always passes: errors ` + share + `; want a limit of 100% or less, such as errors < 1%`},
		{"status.5xx <= 100%", `"status.5xx <= 100%" always passes: status.5xx ` + share + `; want a limit below 100%, such as status.5xx <= 1%`},
		{"status.200 > 100%", `"status.200 > 100%" can never pass: status.200 ` + share + `; want a limit below 100%, such as status.200 > 1%`},
		// Counts and rates are never below 0.
		{"rps >= 0", `"rps >= 0" always passes: rps is never below 0; want a limit above 0, such as rps >= 1000`},
		{"errors.timeout >= 0", `"errors.timeout >= 0" always passes: errors.timeout is never below 0; want a limit above 0, such as errors.timeout >= 10`},
	}
	for _, c := range cases {
		_, err := ParseThreshold(c.expr)
		if err == nil {
			t.Errorf("%q: no error", c.expr)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%q:\n got  %s\n want %s", c.expr, err, c.want)
		}
		if !errors.Is(err, ErrThreshold) {
			t.Errorf("%q: does not wrap ErrThreshold", c.expr)
		}
	}
}

func TestParseThresholdErrors(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"p99", `"p99" has no comparison; want METRIC OP VALUE such as "p99 < 50ms", "rps >= 1000", "error_rate < 1%", "errors.timeout == 0" or "status.5xx < 0.1%"`},
		{"p99 != 5ms", `"p99 != 5ms": unknown operator "!="; want <, <=, >, >= or ==`},
		{"p99 = 5ms", `"p99 = 5ms": unknown operator "="; did you mean "=="? want <, <=, >, >= or ==`},
		{"p99 =< 5ms", `"p99 =< 5ms": unknown operator "=<"; did you mean "<="? want <, <=, >, >= or ==`},
		{"rps => 5", `"rps => 5": unknown operator "=>"; did you mean ">="? want <, <=, >, >= or ==`},
		{"p99 < 0ms", `"p99 < 0ms" can never pass: p99 is never below 1us, the shortest time nowait records; want a limit above 1us, such as p99 < 50ms`},
		{"errors < 0", `"errors < 0" can never pass: errors is never below 0; want a limit above 0, or errors == 0`},
		{"errors.timeout == 0.5", `"errors.timeout == 0.5": "0.5" is not a count; want a whole number such as 0 or 10, or a share with its % sign: did you mean 50%?`},
		{"status.5xx < 2.5", `"status.5xx < 2.5": "2.5" is not a count; want a whole number such as 0 or 10, or a share with its % sign: did you mean 2.5%?`},
		{"status.2xx >= 0.99", `"status.2xx >= 0.99": "0.99" is not a count; want a whole number such as 0 or 10, or a share with its % sign: did you mean 99%?`},
		{"errors < 0.001", `"errors < 0.001": "0.001" is not a count; want a whole number such as 0 or 10, or a share with its % sign: did you mean 0.1%?`},
		{"p100 < 1s", `"p100 < 1s": percentile "p100" is not below 100; want pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min (the largest value is max)`},
		{"p0 < 1s", `"p0 < 1s": percentile "p0" is not above 0; want pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min (the smallest value is min)`},
		{"p(95 < 1s", `"p(95 < 1s": unknown metric "p(95"; want a latency statistic (pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min; or service.p99 ...), rps, error_rate, errors, errors.KIND or status.CODE`},
		{"p99 <", `"p99 <" is incomplete; want METRIC OP VALUE such as "p99 < 50ms", "rps >= 1000", "error_rate < 1%", "errors.timeout == 0" or "status.5xx < 0.1%"`},
		{"p99 < 50", `"p99 < 50": "50" is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m`},
		{"p99 < -5ms", `"p99 < -5ms": "-5ms" is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m`},
		{"service.p1x < 5ms", `"service.p1x < 5ms": unknown statistic "p1x"; want pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min`},
		{"rps >= lots", `"rps >= lots": "lots" is not a rate; want a number of requests per second such as 1000`},
		{"error_rate < 1", `"error_rate < 1": "1" is not a percentage; want a value with its % sign: did you mean 1%?`},
		{"error_rate < 0.01", `"error_rate < 0.01": "0.01" is not a percentage; want a value with its % sign: did you mean 1%?`},
		{"error_rate < x", `"error_rate < x": "x" is not a percentage; want a value such as 1%`},
		{"error_rate < NaN%", `"error_rate < NaN%": "NaN%" is not a percentage; want a value such as 1%`},
		{"status.6xx < 1%", `"status.6xx < 1%": unknown status "6xx"; want a code such as 200 or a class such as 5xx`},
		{"status.2000 < 1%", `"status.2000 < 1%": unknown status "2000"; want a code such as 200 or a class such as 5xx`},
		{"errors.reset < x", `"errors.reset < x": "x" is not a count or a percentage; want a value such as 0 or 0.1%`},
	}
	for _, c := range cases {
		_, err := ParseThreshold(c.expr)
		if err == nil {
			t.Errorf("%q: no error", c.expr)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%q:\n got  %s\n want %s", c.expr, err, c.want)
		}
		if !errors.Is(err, ErrThreshold) {
			t.Errorf("%q: does not wrap ErrThreshold", c.expr)
		}
	}
}

// summary builds a hand-made summary: 10,000 responses, p50 4ms, p99
// 45ms, p99.9 120ms, max 300ms, 1000 rps, 20 timeouts and 5 resets, 9,900
// 200s, 80 503s, 20 404s.
func summary() stats.Summary {
	lat := stats.Latency{
		Count: 10000, MinMs: 0.5, MeanMs: 6.2, MaxMs: 300,
		Percentiles: map[string]float64{"50": 4, "75": 7, "90": 15, "99": 45, "99.9": 120, "99.99": 250},
	}
	svc := lat
	svc.Percentiles = map[string]float64{"50": 3, "75": 5, "90": 10, "99": 30, "99.9": 60, "99.99": 90}
	return stats.Summary{
		Schema:         stats.SchemaVersion,
		Requests:       10025,
		Responses:      10000,
		RequestsPerSec: 1000,
		Status:         map[string]uint64{"200": 9900, "503": 80, "404": 20},
		Errors:         map[string]uint64{"timeout": 20, "reset": 5},
		ErrorTotal:     25,
		Failed:         125, // the 503s, the 404s and the errors
		ErrorRate:      125.0 / 10025,
		Latency:        lat,
		Service:        svc,
		Connect:        stats.Latency{Count: 50, MaxMs: 2, Percentiles: map[string]float64{"99": 1.5}},
	}
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		expr     string
		passed   bool
		measured string
		reason   string
	}{
		{"p50 < 5ms", true, "4.00ms", ""},
		{"p99 < 50ms", true, "45.0ms", ""},
		{"p99 < 45ms", false, "45.0ms", "measured 45.0ms; want p99 < 45ms"},
		{"p99 <= 45ms", true, "45.0ms", ""},
		{"p99.9 < 100ms", false, "120ms", "measured 120ms; want p99.9 < 100ms"},
		{"p99.99 < 1s", true, "250ms", ""},
		{"max < 250ms", false, "300ms", "measured 300ms; want max < 250ms"},
		{"mean < 10ms", true, "6.20ms", ""},
		{"min > 100us", true, "500µs", ""},
		{"service.p99 < 40ms", true, "30.0ms", ""},
		{"connect.p99 < 1ms", false, "1.50ms", "measured 1.50ms; want connect.p99 < 1ms"},
		{"rps >= 1000", true, "1,000", ""},
		{"rps > 1000", false, "1,000", "measured 1,000; want rps > 1,000"},
		{"error_rate < 2%", true, "1.25%, 125 failed of 10,025 attempts", ""},
		{"error_rate < 1%", false, "1.25%, 125 failed of 10,025 attempts", "measured 1.25%, 125 failed of 10,025 attempts; want error_rate < 1%"},
		{"errors < 1%", true, "0.25%, 25 of 10,025 attempts", ""},
		{"errors.timeout == 0", false, "20", "measured 20; want errors.timeout == 0"},
		{"errors.timeout <= 20", true, "20", ""},
		{"errors.bad_response == 0", true, "0", ""},
		{"errors < 30", true, "25", ""},
		{"status.5xx < 0.1%", false, "0.80%, 80 of 10,000 responses", "measured 0.80%, 80 of 10,000 responses; want status.5xx < 0.1%"},
		{"status.5xx < 1%", true, "0.80%, 80 of 10,000 responses", ""},
		{"status.200 >= 99%", true, "99.0%, 9,900 of 10,000 responses", ""},
		{"status.2xx > 99%", false, "99.0%, 9,900 of 10,000 responses", "measured 99.0%, 9,900 of 10,000 responses; want status.2xx > 99%"},
		{"status.404 == 20", true, "20", ""},
	}
	sum := summary()
	for _, c := range cases {
		th, err := ParseThreshold(c.expr)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		got := th.Evaluate(sum)
		if got.Group != "thresholds" || got.Expr != c.expr || got.Passed != c.passed || got.Measured != c.measured || got.Reason != c.reason {
			t.Errorf("%q:\n got  %s (measured %q)\n want passed %v, measured %q, reason %q", c.expr, got, got.Measured, c.passed, c.measured, c.reason)
		}
	}
}

// TestFailureLinesShowTheDifference: a failure line quotes the limit as
// written (a rate or a count with thousands separators, as the measured
// value has them) and the measured value with the limit's digits, and
// more when it takes them to show why it failed: rounding both to the
// same digits made "measured 20.4ms; want p50 < 20.4ms", and the QA's
// "measured 1,787.0; want rps >= 100000" mixed two ways of writing a
// number.
func TestFailureLinesShowTheDifference(t *testing.T) {
	sum := summary()
	sum.Latency.Percentiles["50"] = 20.36
	sum.Latency.Percentiles["99"] = 1.2345
	sum.RequestsPerSec = 1000.04
	cases := []struct{ expr, want string }{
		{"p50 < 20.35ms", "FAIL p50 < 20.35ms: measured 20.36ms; want p50 < 20.35ms"},
		{"p99 < 1.234ms", "FAIL p99 < 1.234ms: measured 1.2345ms; want p99 < 1.234ms"},
		{"rps >= 1000.05", "FAIL rps >= 1000.05: measured 1,000.04; want rps >= 1,000.05"},
		{"rps >= 100000", "FAIL rps >= 100000: measured 1,000; want rps >= 100,000"},
		{"rps >= 1e5", "FAIL rps >= 1e5: measured 1,000; want rps >= 100,000"},
		{"rps >= 1000.5", "FAIL rps >= 1000.5: measured 1,000.0; want rps >= 1,000.5"},
		{"status.5xx < 5000", "PASS status.5xx < 5000 (80)"},
		{"status.2xx < 5000", "FAIL status.2xx < 5000: measured 9,900; want status.2xx < 5,000"},
		{"p50 < 20.4ms", "PASS p50 < 20.4ms (20.36ms)"},
		{"p50 < 30ms", "PASS p50 < 30ms (20.4ms)"},
	}
	for _, c := range cases {
		th, err := ParseThreshold(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Evaluate(sum).String(); got != c.want {
			t.Errorf("%q:\n got  %s\n want %s", c.expr, got, c.want)
		}
	}
}

// TestEvaluateAnyPercentile: p95 and p(99.5) are read from percentiles
// added to the summary from the histograms.
func TestEvaluateAnyPercentile(t *testing.T) {
	rec := stats.NewRecorder()
	for i := 1; i <= 1000; i++ {
		rec.RecordResponse(200, int64(i)*int64(time.Millisecond)/10, int64(i)*int64(time.Millisecond)/10) // 0.1 ms to 100 ms
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Elapsed = time.Second
	sum := stats.Summarize(res)
	sc := &Scenario{Thresholds: []string{"p95 < 95.1ms", "p(99.5) < 99.4ms", "service.p95 > 90ms", "p99 < 1s"}}
	if ps := sc.Percentiles(); len(ps) != 2 || ps[0] != 95 || ps[1] != 99.5 {
		t.Fatalf("percentiles to add: %v, want [95 99.5]", ps)
	}
	stats.AddPercentiles(&sum, res, sc.Percentiles())
	checks := sc.Evaluate(sum)
	want := []string{"PASS p95 < 95.1ms (95.0ms)", "FAIL p(99.5) < 99.4ms: measured 99.5ms; want p(99.5) < 99.4ms", "PASS service.p95 > 90ms (95.0ms)", "PASS p99 < 1s (99.0ms)"}
	for i, c := range checks {
		if c.String() != want[i] {
			t.Errorf("check %d:\n got  %s\n want %s", i, c, want[i])
		}
	}
}

// TestEvaluateSaturated: a saturated generator fails every latency
// threshold, even one its numbers would pass, and leaves the others.
func TestEvaluateSaturated(t *testing.T) {
	sum := summary()
	sum.Saturation = stats.Saturation{Saturated: true, Reason: "send lag p99 120ms"}
	s := &Scenario{Thresholds: []string{"p99 < 1s", "service.p50 < 1s", "rps >= 10", "error_rate < 2%", "p9 < 1s"}}
	checks := s.Evaluate(sum)
	if len(checks) != 5 {
		t.Fatalf("got %d checks", len(checks))
	}
	wantReasons := []string{
		"schedule not kept: send lag p99 120ms; its latency numbers do not measure the target (measured 45.0ms; want p99 < 1s)",
		"schedule not kept: send lag p99 120ms; its latency numbers do not measure the target (measured 3.00ms; want service.p50 < 1s)",
	}
	for i, c := range checks[:2] {
		if c.Passed || c.Reason != wantReasons[i] {
			t.Errorf("%s:\n got  %s\n want %s", c.Expr, c.Reason, wantReasons[i])
		}
	}
	for _, c := range checks[2:4] {
		if !c.Passed {
			t.Errorf("%s failed: %+v", c.Expr, c)
		}
	}
	if checks[4].Passed || checks[4].Reason == "" {
		t.Errorf("an unparsable threshold passed: %+v", checks[4])
	}
	if !Failed(checks) || Failed(checks[2:4]) {
		t.Error("Failed is wrong")
	}
}

// TestEvaluateNothingMeasured: a run without responses passes no latency
// or share threshold.
func TestEvaluateNothingMeasured(t *testing.T) {
	sum := stats.Summary{Latency: stats.Latency{Percentiles: map[string]float64{"99": 0}}, Status: map[string]uint64{}}
	for _, e := range []string{"p99 < 50ms", "status.5xx < 1%", "error_rate < 1%", "errors < 1%"} {
		th, _ := ParseThreshold(e)
		if c := th.Evaluate(sum); c.Passed {
			t.Errorf("%s passed with nothing measured: %+v", e, c)
		}
	}
}

func TestFormatMs(t *testing.T) {
	for ms, want := range map[float64]string{0.0123: "12µs", 0.85: "850µs", 1: "1.00ms", 12.14: "12.1ms", 125.4: "125ms", 1234: "1.23s"} {
		if got := FormatMs(ms); got != want {
			t.Errorf("FormatMs(%g) = %q, want %q", ms, got, want)
		}
	}
}

func TestCheckString(t *testing.T) {
	pass := Check{Expr: "p99 < 50ms", Passed: true, Measured: "45.0ms"}
	fail := Check{Expr: "p99 < 40ms", Measured: "45.0ms", Reason: "measured 45.0ms; want p99 < 40ms"}
	if pass.String() != "PASS p99 < 50ms (45.0ms)" || fail.String() != "FAIL p99 < 40ms: measured 45.0ms; want p99 < 40ms" {
		t.Errorf("%q\n%q", pass, fail)
	}
}

// A check's line has one pair of parentheses: the share and its counts
// are one phrase, with thousands separators.
func TestCheckLineHasNoNestedParentheses(t *testing.T) {
	sum := summary()
	sum.Failed, sum.ErrorTotal, sum.Errors, sum.Requests, sum.Responses, sum.Status = 0, 0, nil, 8382, 8382, map[string]uint64{"200": 8382}
	sum.ErrorRate = 0
	for expr, want := range map[string]string{
		"error_rate < 1%":   "PASS error_rate < 1% (0.0%, 0 failed of 8,382 attempts)",
		"errors < 1%":       "PASS errors < 1% (0.0%, 0 of 8,382 attempts)",
		"status.5xx < 0.1%": "PASS status.5xx < 0.1% (0.0%, 0 of 8,382 responses)",
	} {
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Evaluate(sum).String(); got != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}
}

// A run that measured nothing (no connection) fails every check that
// needs a measurement, saying so, and quotes no number as measured: not
// "0µs", which would read as a latency, nor 0µs beating a baseline.
func TestNothingMeasuredQuotesNoNumber(t *testing.T) {
	none := stats.Summary{Schema: stats.SchemaVersion, Errors: map[string]uint64{"connect_refused": 14}, ErrorTotal: 14, Failed: 14, ErrorRate: 1}
	empty := stats.Summary{Schema: stats.SchemaVersion}
	for _, tc := range []struct {
		expr   string
		sum    stats.Summary
		reason string
	}{
		{"p99 < 50ms", none, "nothing was measured: no response arrived"},
		{"connect.p99 < 5ms", none, "nothing was measured: no response arrived"},
		{"status.5xx < 1%", none, "nothing was measured: no response arrived"},
		{"error_rate < 1%", empty, "nothing was measured: no request was sent and no connect tried"},
		{"errors < 1%", empty, "nothing was measured: no request was sent and no connect tried"},
	} {
		th, err := ParseThreshold(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		c := th.Evaluate(tc.sum)
		if c.Passed || c.Measured != "" || c.Reason != tc.reason {
			t.Errorf("%s: passed %v, measured %q, reason %q; want a failure, nothing measured, %q", tc.expr, c.Passed, c.Measured, c.Reason, tc.reason)
		}
	}
	base := summary()
	for _, c := range CompareBaseline(none, base, 0.1)[:3] {
		if c.Passed || c.Measured != "" || c.Reason != "nothing was measured: no response arrived" {
			t.Errorf("%s with no response: %+v; want a failure that quotes nothing", c.Expr, c)
		}
	}
}

// TestMeasuredCountsAreGrouped: a check quotes a count or a rate with
// thousands separators, as the report does: status.500 > 100 (2,886),
// rps >= 1 (9,163).
func TestMeasuredCountsAreGrouped(t *testing.T) {
	sum := stats.Summary{Responses: 5000, Status: map[string]uint64{"500": 2886}, RequestsPerSec: 9163.04}
	for expr, want := range map[string]string{"status.500 > 100": "PASS status.500 > 100 (2,886)", "rps >= 1": "PASS rps >= 1 (9,163)"} {
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Evaluate(sum).String(); got != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}
}
