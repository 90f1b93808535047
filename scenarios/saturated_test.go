package scenarios

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nowait/nowait/stats"
)

// lateButSent is the verdict of a run that sent every request due, late
// (a busy shared runner): the QA run that failed "p99 < 100ms" measured
// at 44.3ms.
var lateButSent = stats.Saturation{Saturated: true, RateKept: true,
	Reason: "generator CPU or target too slow: sends lagged the schedule by p99 30.0ms, though the rate was kept (achieved 1,250 of 1,250 req/s)"}

// TestEvaluateSaturatedRateKept: a run that sent the requests due, late,
// counts the lag in its latency from the intended send, so an upper
// bound it passed holds (with the saturation noted); an upper bound it
// breached and a lower bound stay failed, with the saturation as the
// reason, and the other thresholds are judged as usual.
func TestEvaluateSaturatedRateKept(t *testing.T) {
	sum := summary() // p50 4ms, p99 45ms, service p50 3ms, min 0.5ms
	sum.Saturation = lateButSent
	s := &Scenario{Thresholds: []string{"p99 < 100ms", "service.p50 <= 1s", "min < 1ms", "connect.p99 < 2ms",
		"p99 < 10ms", "p50 > 1ms", "p50 >= 1ms", "p99 == 45ms", "rps >= 10"}}
	checks := s.Evaluate(sum)
	for i, c := range checks {
		wantPass := i < 4 || i == 8
		if c.Passed != wantPass {
			t.Errorf("%s: passed %v, want %v: %+v", c.Expr, c.Passed, wantPass, c)
		}
	}
	for _, c := range checks[:4] {
		if !strings.Contains(c.String(), "; holds although the schedule was not kept (generator CPU or target too slow: sends lagged the schedule by p99 30.0ms") {
			t.Errorf("a bound that holds under saturation does not say so: %s", c)
		}
	}
	if got, want := checks[0].String(), "PASS p99 < 100ms (45.0ms); holds although the schedule was not kept ("+lateButSent.Reason+
		"): the latency measured counts its lag, so the target's own is no higher"; got != want {
		t.Errorf("line:\n got  %s\n want %s", got, want)
	}
	for _, c := range checks[4:8] {
		if !strings.HasPrefix(c.Reason, "schedule not kept: "+lateButSent.Reason+"; its latency numbers do not measure the target (measured ") {
			t.Errorf("%s: reason %q", c.Expr, c.Reason)
		}
	}
	if checks[8].Note != "" {
		t.Errorf("rps, which the saturation does not concern, has a note: %+v", checks[8])
	}
}

// TestEvaluateSaturatedRateShort: a run that left requests unsent measured
// neither their latency nor the planned load, so even an upper bound it
// passed fails, as before.
func TestEvaluateSaturatedRateShort(t *testing.T) {
	sum := summary()
	sum.Saturation = stats.Saturation{Saturated: true, Reason: "generator CPU or target too slow: sends lagged the schedule by p99 30.0ms (achieved 900 of 1,250 req/s)"}
	c := (&Scenario{Thresholds: []string{"p99 < 100ms"}}).Evaluate(sum)[0]
	if c.Passed || c.Note != "" || !strings.HasPrefix(c.Reason, "schedule not kept: ") {
		t.Errorf("%+v", c)
	}
}

// TestBaselineSaturatedRateKept: the baseline's latency comparisons are
// upper bounds too: a late-but-sent run within the margin passes them,
// noted; one past it fails with the saturation as the reason.
func TestBaselineSaturatedRateKept(t *testing.T) {
	base := summary() // p50 4ms, p99 45ms, p99.9 120ms
	cur := summary()
	cur.Saturation = lateButSent
	cur.Latency.Percentiles["99.9"] = 200 // +67%
	checks := CompareBaseline(cur, base, 0.10)
	for _, c := range checks[:2] {
		if !c.Passed || !strings.HasPrefix(c.Note, "holds although the schedule was not kept (") {
			t.Errorf("%+v", c)
		}
	}
	if c := checks[2]; c.Passed || !strings.HasPrefix(c.Reason, "schedule not kept: ") || !strings.Contains(c.Reason, "+67%") {
		t.Errorf("p99.9 past the margin: %+v", c)
	}
}

// TestJUnitNotesAPassUnderSaturation: the note of a check that passed
// reaches the JUnit case's system-out, beside what was measured.
func TestJUnitNotesAPassUnderSaturation(t *testing.T) {
	sum := summary()
	sum.Saturation = lateButSent
	checks := (&Scenario{Thresholds: []string{"p99 < 100ms", "p99 < 10ms"}}).Evaluate(sum)
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "s", 4, 4, checks, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`tests="2" failures="1"`,
		"<system-out>measured 45.0ms&#xA;note: holds although the schedule was not kept (generator CPU or target too slow",
		`<failure message="schedule not kept: generator CPU or target too slow`} {
		if !strings.Contains(out, want) {
			t.Errorf("JUnit lacks %q:\n%s", want, out)
		}
	}
}
