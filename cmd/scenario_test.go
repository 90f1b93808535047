package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// writeFile writes body to name in a fresh temporary directory.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStagesWithoutModelRampTheRate: --stages on a scenario that names no
// model ramps the rate (the open model), as it does with a URL.
func TestStagesWithoutModelRampTheRate(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "nomodel.yaml", "target: "+srv.URL()+"\nload:\n  connections: 4\n")
	stdout, stderr, code := runBin(t, "run", path, "--stages", "1s:30", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	// A ramp from 0 to 30 req/s over 1 s is 15 requests.
	if s.Model != "open" || s.Requests < 13 || s.Requests > 16 {
		t.Fatalf("model %q, %d requests; want the open model's ramp, 15 requests", s.Model, s.Requests)
	}
}

// TestHugeWeightRefusedByValidateAndRun: a weight whose sum overflows the
// mix was valid and then panicked the run; validate and run now both
// refuse it with the same line, and the run sends nothing.
func TestHugeWeightRefusedByValidateAndRun(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "heavy.yaml", "target: "+srv.URL()+"\nload:\n  requests: 10\nrequests:\n  - {weight: 9223372036854775807}\n  - {weight: 1}\n")
	want := "heavy.yaml:5: requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got 9223372036854775807"
	if _, stderr, code := runBin(t, "validate", path); code != ExitUsage || !strings.Contains(stderr, want) {
		t.Fatalf("validate: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	checkOneLine(t, badInput{args: []string{"run", path}, code: ExitUsage, want: []string{want}})
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

// TestChecksInTheJSON: with --json and --out, the verdict on every
// threshold is in the printed JSON and in summary.json, with the measured
// value, the limit as written and the reason; a percentile a threshold
// names (p(95)) is computed and kept beside the others.
func TestChecksInTheJSON(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeScenario(t, srv.URL(), "  - p(95) < 10s\n  - rps > 1e12\n")
	out := filepath.Join(t.TempDir(), "res")
	stdout, stderr, code := runBin(t, "run", path, "--set", "load.requests=200", "--json", "-o", out)
	if code != ExitThresholds {
		t.Fatalf("exit %d, want %d\n%s", code, ExitThresholds, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"stdout": stdout, "summary.json": string(data)} {
		var s stats.Summary
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Checks) != 2 {
			t.Fatalf("%s: %d checks, want 2: %+v", name, len(s.Checks), s.Checks)
		}
		p95, rps := s.Checks[0], s.Checks[1]
		if p95.Expr != "p(95) < 10s" || !p95.Passed || p95.Limit != "10s" || p95.Value <= 0 || p95.Value != s.Latency.Percentiles["95"] {
			t.Errorf("%s: p95 check %+v, latency percentiles %v", name, p95, s.Latency.Percentiles)
		}
		if rps.Passed || rps.Limit != "1e12" || rps.Value != s.RequestsPerSec || !strings.HasPrefix(rps.Reason, "measured ") {
			t.Errorf("%s: rps check %+v", name, rps)
		}
	}
	stdout, _, _ = runBin(t, "run", srv.URL(), "-n", "20", "-c", "2", "--json")
	if strings.Contains(stdout, `"checks"`) {
		t.Errorf("a run without thresholds has checks:\n%s", stdout)
	}
}

// TestRunTakesWhatValidateTakes: a scenario file that is not named .yaml
// (JSON is YAML) is valid for validate, so run runs it rather than taking
// it for a URL without a scheme.
func TestRunTakesWhatValidateTakes(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "scen.json", `{"target": "`+srv.URL()+`", "load": {"requests": 10, "connections": 1}}`)
	if stdout, stderr, code := runBin(t, "validate", path); code != ExitOK {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runBin(t, "run", path); code != ExitOK || srv.Served() != 10 {
		t.Fatalf("run: exit %d, served %d; want 0 and 10\n%s%s", code, srv.Served(), stdout, stderr)
	}
	// A scenario name that does not exist is said to be missing, not taken
	// for a URL.
	checkOneLine(t, badInput{args: []string{"run", "nosuch.json"}, code: ExitUsage, want: []string{"cannot read scenario nosuch.json"}})
}

// TestFlagConflictNamesTheFlag: a flag that conflicts with the scenario
// file is named as typed, not as a --set the user never gave.
func TestFlagConflictNamesTheFlag(t *testing.T) {
	checkOneLine(t, badInput{
		args: []string{"run", "../examples/smoke.yaml", "-R", "100"},
		code: ExitUsage,
		want: []string{"nowait: -R/--rate (load.rate): conflicts with model: closed"},
	})
	_, stderr, _ := runBin(t, "run", "../examples/smoke.yaml", "-R", "100")
	if strings.Contains(stderr, "--set") {
		t.Errorf("stderr names --set, which was not given: %q", stderr)
	}
}

// TestMaxRegressionNeedsABaselineAndASign: --max-regression with nothing
// to compare was silently ignored, and 0.1 meant 10% while 10 was refused;
// both are usage errors now, with a URL and with a scenario file.
func TestMaxRegressionNeedsABaselineAndASign(t *testing.T) {
	base := writeFile(t, "summary.json", `{"schema_version": 1, "responses": 1}`)
	const u = "http://127.0.0.1:1/"
	cases := []badInput{
		{args: []string{"run", u, "--max-regression", "5%"}, want: []string{"nowait: --max-regression 5%: there is no baseline to compare with; give --baseline summary.json too, or drop it"}},
		{args: []string{"run", "../examples/smoke.yaml", "--max-regression", "5%"}, want: []string{"nowait: --max-regression 5%: there is no baseline to compare with"}},
		{args: []string{"run", u, "--baseline", base, "--max-regression", "0.1"}, want: []string{"got 0.1; write the % sign (0.1% or 10%?)"}},
		{args: []string{"run", "../examples/smoke.yaml", "--baseline", base, "--max-regression", "0.1"}, want: []string{"got 0.1; write the % sign (0.1% or 10%?)"}},
	}
	for _, tc := range cases {
		tc.code = ExitUsage
		checkOneLine(t, tc)
	}
}

// TestBaselineOfAnotherSetupIsNoted: a baseline run with another target,
// mode and connection count is compared, with one line naming what
// differs; a baseline of the same setup gets no such line.
func TestBaselineOfAnotherSetupIsNoted(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	baseline := func(targetURL, mode string, conns int) string {
		b, _ := json.Marshal(stats.Summary{Schema: stats.SchemaVersion, Responses: 1, RequestsPerSec: 1, Target: targetURL, Mode: mode, Model: "closed", Connections: conns,
			Latency: stats.Latency{Percentiles: map[string]float64{"50": 1000, "99": 1000, "99.9": 1000}}})
		return writeFile(t, "summary.json", string(b))
	}
	other := baseline("http://127.0.0.1:9/", "sync", 50)
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "4", "-n", "100", "--baseline", other)
	want := "Note: the baseline ran another setup (target " + srv.URL() + " vs http://127.0.0.1:9/, mode async vs sync, connections 4 vs 50); the comparison measures that change too"
	if code != ExitOK || !strings.Contains(stdout, want+"\n") {
		t.Fatalf("exit %d; stdout lacks %q:\n%s%s", code, want, stdout, stderr)
	}
	same := baseline(srv.URL(), "async", 4)
	stdout, _, _ = runBin(t, "run", srv.URL(), "-c", "4", "-n", "100", "--baseline", same)
	if strings.Contains(stdout, "Note: the baseline") {
		t.Fatalf("a baseline of the same setup is noted:\n%s", stdout)
	}
}
