package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// readSummaryKeys reads dir/summary.json as a map of its top-level keys.
func readSummaryKeys(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("summary.json: %v\n%s", err, data)
	}
	return m
}

// summary.json writes its counts and yes/no fields on a clean run too, 0
// and false, so that `jq -e '.dropped == 0'` and `.interrupted == false`
// hold: the QA's open-model run with nothing dropped had no "dropped", no
// "resent" and no "interrupted" key. What was not measured stays out
// (rss_bytes_per_connection and all_established_s of a run that never
// had a connection open).
func TestSummaryWritesZeroCountsAndFalse(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	dir := filepath.Join(t.TempDir(), "r")
	_, stderr, code := runBin(t, "run", srv.URL(), "-R", "200", "-n", "50", "-c", "2", "-o", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := readSummaryKeys(t, dir)
	if m["responses"] != float64(srv.Served()) || srv.Served() != 50 {
		t.Fatalf("summary.json counts %v responses, the target served %d; want 50", m["responses"], srv.Served())
	}
	for key, want := range map[string]any{"dropped": 0.0, "resent": 0.0, "interrupted": false, "http_to_tls": false, "warmup_s": 0.0} {
		got, ok := m[key]
		if !ok || got != want {
			t.Errorf("summary.json %q = %v (present %v); want %v", key, got, ok, want)
		}
	}

	refused := filepath.Join(t.TempDir(), "refused")
	_, stderr, code = runBin(t, "run", "http://"+closedPort(t)+"/", "-n", "5", "-c", "1", "-o", refused)
	if code != ExitRunFailed {
		t.Fatalf("run against nothing listening: exit %d, want %d: %s", code, ExitRunFailed, stderr)
	}
	m = readSummaryKeys(t, refused)
	for _, key := range []string{"rss_bytes_per_connection", "all_established_s"} {
		if v, ok := m[key]; ok {
			t.Errorf("summary.json of a run with no connection has %q = %v; want it absent (not measured)", key, v)
		}
	}
	if m["interrupted"] != false || m["dropped"] != 0.0 {
		t.Errorf("summary.json of a run with no connection: interrupted %v, dropped %v; want false and 0", m["interrupted"], m["dropped"])
	}
}
