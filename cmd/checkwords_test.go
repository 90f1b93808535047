package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// unreachableBaseline writes a baseline that claims a billion responses a
// second: every run drops nearly 100% against it.
func unreachableBaseline(t *testing.T) string {
	t.Helper()
	base := stats.Summary{Schema: stats.SchemaVersion, Responses: 1, RequestsPerSec: 1e9,
		Latency: stats.Latency{Percentiles: map[string]float64{"50": 1000, "99": 1000, "99.9": 1000}}}
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "summary.json", string(b))
}

// --max-regression is quoted as given: the QA's 10.5% read "a drop of
// 83% > 10%", and 5% read "> 5.0%". The drop is written with the
// margin's decimals, and summary.json's limit is the margin as given.
func TestMaxRegressionIsQuotedAsGiven(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	base := unreachableBaseline(t)
	for _, tc := range []struct{ margin, drop string }{{"10.5%", "a drop of 100.0% > 10.5%"}, {"5%", "a drop of 100% > 5%"}} {
		dir := filepath.Join(t.TempDir(), "r")
		stdout, stderr, code := runBin(t, "run", srv.URL(), "-n", "200", "-c", "2", "--baseline", base, "--max-regression", tc.margin, "-o", dir)
		if code != ExitRegression {
			t.Fatalf("--max-regression %s: exit %d, want %d\n%s%s", tc.margin, code, ExitRegression, stdout, stderr)
		}
		if !strings.Contains(stdout, "FAIL rps vs baseline: rps ") || !strings.Contains(stdout, tc.drop) {
			t.Errorf("--max-regression %s: stdout lacks %q:\n%s", tc.margin, tc.drop, stdout)
		}
		data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s stats.Summary
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Checks {
			if c.Expr == "rps vs baseline" && c.Limit != "-"+tc.margin {
				t.Errorf("--max-regression %s: summary.json limit %q, want %q", tc.margin, c.Limit, "-"+tc.margin)
			}
		}
	}
}

// A rate threshold's failure writes the measured rate and the limit
// alike, both with thousands separators and the limit's decimals: the
// QA's "measured 1,787.0; want rps >= 100000" mixed the two.
func TestRateCheckWritesMeasuredAndLimitAlike(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "rps.yaml", "target: "+srv.URL()+"\nload:\n  connections: 2\n  requests: 200\nthresholds:\n  - rps >= 100000000\n")
	stdout, stderr, code := runBin(t, "run", path)
	if code != ExitThresholds {
		t.Fatalf("exit %d, want %d\n%s%s", code, ExitThresholds, stdout, stderr)
	}
	line := regexp.MustCompile(`FAIL rps >= 100000000: measured [0-9]{1,3}(,[0-9]{3})*; want rps >= 100,000,000\n`)
	if !line.MatchString(stdout) {
		t.Fatalf("stdout has no %s line:\n%s", line, stdout)
	}
	if srv.Served() != 200 {
		t.Fatalf("target served %d, want 200", srv.Served())
	}
}

// A share written as k6 writes one, a fraction without the % sign, gets
// the percentage it meant suggested: the QA's 'status.2xx >= 0.99' was
// told to write "0.99%", a hundred times less than meant. run refuses it
// before any load, validate in the file, both saying "did you mean 99%?".
func TestFractionalShareSuggestsItsPercentage(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "share.yaml", "target: "+srv.URL()+"\nload:\n  requests: 10\nthresholds:\n  - error_rate < 0.01\n")
	_, stderr, code := runBin(t, "validate", path)
	checkLines(t, "validate", stderr, code, []string{path + `:5: thresholds[0]: "error_rate < 0.01": "0.01" is not a percentage; want a value with its % sign: did you mean 1%?`},
		"nowait: 1 of 1 scenario files are not valid")
	plain := writeFile(t, "plain.yaml", "target: "+srv.URL()+"\nload:\n  requests: 10\n")
	_, stderr, code = runBin(t, "run", plain, "--set", "thresholds=status.2xx >= 0.99")
	want := `nowait: --set thresholds: "status.2xx >= 0.99": "0.99" is not a count; want a whole number such as 0 or 10, or a share with its % sign: did you mean 99%?` + "\n"
	if code != ExitUsage || stderr != want {
		t.Fatalf("run: exit %d, stderr %q; want %d and %q", code, stderr, ExitUsage, want)
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

// The last line of a failed gate, the one people skimming a CI log read,
// names every failed check with what was measured, or the first ones and
// how many more: the QA's read "4 of the checks failed: p50 < 2ms:
// measured 2.16ms; want p50 < 2ms" when rps, max and service.p99 had
// failed too.
func TestLastLineNamesEveryFailedCheck(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "gate.yaml", "target: "+srv.URL()+"\nload:\n  connections: 2\n  requests: 200\nthresholds:\n"+
		"  - p50 < 2us\n  - error_rate < 1%\n  - rps >= 100000000\n  - max < 2us\n  - service.p99 < 2us\n")
	_, stderr, code := runBin(t, "run", path)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := regexp.MustCompile(`^nowait: 4 of 5 checks failed: p50 < 2us \(measured [0-9.]+µs\), rps >= 100000000 \(measured [0-9,]+\), ` +
		`max < 2us \(measured [0-9.]+(µs|ms)\) and service.p99 < 2us \(measured [0-9.]+µs\)$`)
	if code != ExitThresholds || !last.MatchString(lines[len(lines)-1]) {
		t.Fatalf("exit %d, last line %q; want %d and %s", code, lines[len(lines)-1], ExitThresholds, last)
	}

	_, stderr, code = runBin(t, "run", path, "--set", "thresholds=p50 < 2us,p75 < 2us,p90 < 2us,p99 < 2us,max < 2us,mean < 2us,rps >= 100000000")
	lines = strings.Split(strings.TrimSpace(stderr), "\n")
	last = regexp.MustCompile(`^nowait: 7 of 7 checks failed: p50 < 2us \(measured [^)]+\), p75 < 2us \(measured [^)]+\), ` +
		`p90 < 2us \(measured [^)]+\), p99 < 2us \(measured [^)]+\) and 3 more$`)
	if code != ExitThresholds || !last.MatchString(lines[len(lines)-1]) {
		t.Fatalf("exit %d, last line %q; want %d and %s", code, lines[len(lines)-1], ExitThresholds, last)
	}
	if srv.Served() != 400 {
		t.Fatalf("target served %d, want 400", srv.Served())
	}
}
