package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// openScenario writes an open-model scenario at 1000 req/s over 50
// connections for dur against url, with a 500 ms request timeout and
// the given thresholds, writing its results to out.
func openScenario(t *testing.T, url, dur, out string, thresholds ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "open.yaml")
	body := "name: open\ntarget: " + url + "\nload:\n  model: open\n  rate: 1000\n  connections: 50\n  duration: " + dur +
		"\ntimeouts:\n  request: 500ms\noutputs:\n  dir: " + out + "\nthresholds:\n"
	for _, th := range thresholds {
		body += "  - " + th + "\n"
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readSummary reads the summary.json of a result directory.
func readSummary(t *testing.T, dir string) stats.Summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s stats.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkOf returns the check of s with the expression expr.
func checkOf(t *testing.T, s stats.Summary, expr string) stats.Check {
	t.Helper()
	for _, c := range s.Checks {
		if c.Expr == expr {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", expr, s.Checks)
	return stats.Check{}
}

// TestOpenFailuresAreNotSaturation: a target that fails a tenth of the
// requests in transport (resets, garbage, short bodies, hangs) and
// answers 503 to another tenth, loaded on time, is judged by the gates
// on its latency and its errors: the latency gate passes, the error gate
// fails with what was measured, and no saturation is claimed. A try in
// which the machine really made the sends late (send lag p99 over 10 ms)
// is a miss; a verdict of saturation without that, a failure.
func TestOpenFailuresAreNotSaturation(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Faults: []target.Fault{
		{Kind: target.FaultReset, Percent: 5}, {Kind: target.Fault503, Percent: 10}, {Kind: target.FaultGarbage, Percent: 2},
		{Kind: target.FaultHang, Percent: 1}, {Kind: target.FaultShortBody, Percent: 2},
	}})
	enginetest.Tries(t, 3, func(int) string {
		out := filepath.Join(t.TempDir(), "res")
		stdout, stderr, code := runBin(t, "run", openScenario(t, srv.URL(), "2s", out, "p99 < 1s", "error_rate < 1%"))
		s := readSummary(t, out)
		t.Logf("sent %d of %.0f due, dropped %d, errors %d, send lag p99 %.2f ms, saturation %+v", s.Requests, s.RatePerSec*s.DurationSec,
			s.Dropped, s.ErrorTotal, s.SendLag.P(99), s.Saturation)
		if s.ErrorTotal < 50 {
			t.Fatalf("%d transport errors of %d requests; the faults should fail about a tenth", s.ErrorTotal, s.Requests)
		}
		if s.Saturation.Saturated {
			if s.SendLag.P(99) <= 10 && float64(s.Requests) >= 0.99*s.RatePerSec*s.DurationSec {
				t.Fatalf("every request sent on time (send lag p99 %.2f ms, %d sent), yet saturated: %s\n%s", s.SendLag.P(99), s.Requests, s.Saturation.Reason, stdout)
			}
			return fmt.Sprintf("the machine made the sends late: %s", s.Saturation.Reason)
		}
		if code != ExitThresholds || strings.Contains(stdout, "WARNING") {
			t.Fatalf("exit %d, want %d (error_rate breached)\n%s\n%s", code, ExitThresholds, stdout, stderr)
		}
		if c := checkOf(t, s, "p99 < 1s"); !c.Passed {
			t.Errorf("the latency gate failed: %s", c.Reason)
		}
		if c := checkOf(t, s, "error_rate < 1%"); c.Passed || !strings.HasPrefix(c.Reason, "measured ") {
			t.Errorf("the error gate: passed %v, reason %q; want failed on what was measured", c.Passed, c.Reason)
		}
		return ""
	})
}

// TestOpenStallsAreMeasuredNotSaturation is coordinated omission through
// the gates: a target that stalls 300 ms every second holds all 50
// connections, and the requests due meanwhile wait for a free one. That
// wait is the target's, and the latency from the intended send measures
// it: the gates judge the numbers (p99 fails on its value, p50 and the
// service time's p90 pass), no saturation is claimed, and the report says
// why the sends were late. A try the machine made really saturated is a
// miss.
func TestOpenStallsAreMeasuredNotSaturation(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{Stall: 300 * time.Millisecond, StallEvery: time.Second})
	enginetest.Tries(t, 3, func(int) string {
		out := filepath.Join(t.TempDir(), "res")
		stdout, stderr, code := runBin(t, "run", openScenario(t, srv.URL(), "2500ms", out, "p50 < 50ms", "p99 < 50ms", "service.p90 < 50ms"))
		s := readSummary(t, out)
		t.Logf("sent %d, dropped %d, in flight %d, latency p99 %.1f ms, service p90 %.2f ms, send lag p99 %.1f ms, saturation %+v",
			s.Requests, s.Dropped, s.InFlightAtEnd, s.Latency.P(99), s.Service.P(90), s.SendLag.P(99), s.Saturation)
		if s.Latency.P(99) < 150 || s.SendLag.P(99) < 100 {
			t.Fatalf("latency p99 %.1f ms, send lag p99 %.1f ms: the 300 ms stalls should hold the sends back", s.Latency.P(99), s.SendLag.P(99))
		}
		if s.Saturation.Saturated {
			return "saturated: " + s.Saturation.Reason
		}
		if code != ExitThresholds || strings.Contains(stdout, "WARNING") || !strings.Contains(s.Saturation.Note, "while the target held all 50 connections") ||
			!strings.Contains(stdout, "\n                "+s.Saturation.Note+"\n") {
			t.Fatalf("exit %d (want %d), note %q\n%s\n%s", code, ExitThresholds, s.Saturation.Note, stdout, stderr)
		}
		for expr, pass := range map[string]bool{"p50 < 50ms": true, "p99 < 50ms": false, "service.p90 < 50ms": true} {
			if c := checkOf(t, s, expr); c.Passed != pass || (!pass && !strings.HasPrefix(c.Reason, "measured ")) {
				t.Errorf("%s: passed %v (want %v), reason %q", expr, c.Passed, pass, c.Reason)
			}
		}
		return ""
	})
}
