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

// TestErrorRateCountsHTTPFailures: every response a 500, error_rate is
// 100% and "error_rate < 1%" fails (exit 3), while "errors < 1%" (transport
// errors only) passes; the JSON says how many attempts failed, and the
// printed lines give their shares of the attempts.
func TestErrorRateCountsHTTPFailures(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := filepath.Join(t.TempDir(), "five.yaml")
	body := "target: " + srv.URL() + "status/500\nload:\n  connections: 2\n  requests: 200\nthresholds:\n  - error_rate < 1%\n  - errors < 1%\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBin(t, "run", path)
	if code != ExitThresholds {
		t.Fatalf("all 500s against error_rate < 1%%: exit %d, want %d\n%s\n%s", code, ExitThresholds, stdout, stderr)
	}
	for _, want := range []string{
		"FAIL error_rate < 1%: measured 100.0%, 200 failed of 200 attempts",
		"PASS errors < 1% (0.0%, 0 of 200 attempts)",
		"Failed        200 (100.00% of 200 attempts): 200 with a status outside 200-399, 0 errors",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, _ = runBin(t, "run", path, "--json")
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Failed != 200 || s.ErrorRate != 1 || s.ErrorTotal != 0 {
		t.Fatalf("summary: failed %d error_rate %g error_total %d; want 200, 1, 0", s.Failed, s.ErrorRate, s.ErrorTotal)
	}
}

// TestErrorSharesAgreeOnRefusedConnects: against a closed port, the
// refused connects are failed attempts: error_rate and the errors share
// are both 100%, both gates fail, and the Errors line says so.
func TestErrorSharesAgreeOnRefusedConnects(t *testing.T) {
	addr := closedPort(t)
	path := filepath.Join(t.TempDir(), "refused.yaml")
	body := "target: http://" + addr + "/\nload:\n  connections: 2\n  duration: 300ms\nthresholds:\n  - error_rate < 1%\n  - errors < 1%\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, _ := runBin(t, "run", path)
	if !strings.Contains(stdout, "FAIL error_rate < 1%: measured 100.0%") || !strings.Contains(stdout, "FAIL errors < 1%: measured 100.0%") {
		t.Errorf("the two error gates disagree or pass:\n%s\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "(100.00% of ") || !strings.Contains(stdout, " attempts): connect refused ") {
		t.Errorf("the Errors line does not give the share of attempts:\n%s", stdout)
	}
}
