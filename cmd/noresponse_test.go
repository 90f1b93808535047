package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestNoResponseSaysSo: a run in which nothing could connect prints one
// line for the latency, not a table of zeros, no distribution of zeros
// with --latency, and an open run's verdict blames the connects rather
// than the generator.
func TestNoResponseSaysSo(t *testing.T) {
	stdout, stderr, code := runBin(t, "run", "http://127.0.0.1:1/", "-c", "2", "-d", "300ms", "--latency")
	if code != ExitRunFailed {
		t.Fatalf("exit %d, want %d\n%s", code, ExitRunFailed, stderr)
	}
	if !strings.Contains(stdout, "  Latency       none: no response arrived\n") {
		t.Fatalf("no one-line latency:\n%s", stdout)
	}
	for _, zeros := range []string{"response time", "Latency distribution", "percentile"} {
		if strings.Contains(stdout, zeros) {
			t.Fatalf("printed %q with nothing measured:\n%s", zeros, stdout)
		}
	}

	stdout, stderr, code = runBin(t, "run", "http://127.0.0.1:1/", "-c", "2", "-R", "50", "-d", "300ms", "--json")
	s := summaryOf(t, stdout, stderr)
	if code != ExitRunFailed || !s.Saturation.Saturated || !strings.HasPrefix(s.Saturation.Reason, "no connection could be made") {
		t.Fatalf("exit %d, saturation %+v; want the verdict to name the failed connects", code, s.Saturation)
	}
}

// TestNoResponseSummaryReaders: a run with no responses writes its
// latency numbers as null in summary.json (a gate reading
// percentiles_ms["99"] sees no 0 ms), and every reader of the file still
// works with it: report (text and --json), merge of two such runs, plot
// (one line: nothing to draw) and --baseline (one line: no responses to
// compare with).
func TestNoResponseSummaryReaders(t *testing.T) {
	url := "http://" + closedPort(t) + "/"
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, d := range dirs { // side by side, so that merge takes them
		wg.Go(func() { _, _, codes[i] = runBin(t, "run", url, "-c", "2", "-d", "1s", "-o", d) })
	}
	wg.Wait()
	if codes[0] != ExitRunFailed || codes[1] != ExitRunFailed {
		t.Fatalf("exits %v, want %d", codes, ExitRunFailed)
	}
	b, err := os.ReadFile(filepath.Join(dirs[0], "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Latency struct {
			Count       int64               `json:"count"`
			MaxMs       *float64            `json:"max_ms"`
			Percentiles map[string]*float64 `json:"percentiles_ms"`
		} `json:"latency"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if p99, ok := doc.Latency.Percentiles["99"]; doc.Latency.Count != 0 || !ok || p99 != nil || doc.Latency.MaxMs != nil {
		t.Fatalf("latency of a run with no responses: %s", b)
	}

	stdout, stderr, code := runBin(t, "report", dirs[0])
	if code != 0 || !strings.Contains(stdout, "  Latency       none: no response arrived\n") {
		t.Errorf("report: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runBin(t, "report", dirs[0], "--json")
	if s := summaryOf(t, stdout, stderr); code != 0 || s.Latency.Count != 0 || !strings.Contains(stdout, `"99": null`) {
		t.Errorf("report --json: exit %d\n%s%s", code, stdout, stderr)
	}
	merged := filepath.Join(t.TempDir(), "m")
	if _, stderr, code := runBin(t, "merge", dirs[0], dirs[1], "--out", merged); code != 0 {
		t.Errorf("merge: exit %d\n%s", code, stderr)
	} else if s := readSummary(t, merged); s.Latency.Count != 0 || s.ErrorTotal == 0 {
		t.Errorf("merged: %+v", s)
	}
	_, stderr, code = runBin(t, "plot", dirs[0], "-o", filepath.Join(t.TempDir(), "p.png"))
	if code != ExitRunFailed || !strings.Contains(stderr, "has no responses, so no latency to draw") {
		t.Errorf("plot: exit %d\n%s", code, stderr)
	}
	_, stderr, code = runBin(t, "run", url, "-c", "1", "-d", "100ms", "--baseline", filepath.Join(dirs[0], "summary.json"))
	if code != ExitUsage || !strings.HasSuffix(strings.TrimSpace(stderr), "has no responses to compare with") {
		t.Errorf("--baseline: exit %d\n%s", code, stderr)
	}
}
