package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/stats"
)

// A run against a target that answers 30% of requests with a 500 (QA's
// --fault 500:30) keeps its status classes per second in timeseries.csv,
// adding up to summary.json's status counts, and its timeline, drawn at
// the end of the run and again by nowait plot from the files, names the
// 500s: they are answers, so errors/s never showed them.
func TestFailedStatusesReachTheTimeline(t *testing.T) {
	addr, _, stop := startTargetCmd(t, "--fault", "500:30")
	defer stop()
	out := t.TempDir()
	_, stderr, code := runBin(t, "run", "http://"+addr+"/", "-c", "4", "-t", "1", "-n", "600", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	b, err := os.ReadFile(filepath.Join(out, stats.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	fiveHundreds := s.Status["500"]
	if fiveHundreds == 0 || s.Status["200"]+fiveHundreds != s.Responses {
		t.Fatalf("status counts %v of %d responses; want 200s and 500s", s.Status, s.Responses)
	}
	csv := filepath.Join(out, stats.TimeseriesFile)
	if got := timeseriesColumn(t, csv, "status_5xx"); got != fiveHundreds {
		t.Errorf("timeseries.csv: status_5xx adds up to %d, summary.json has %d 500s", got, fiveHundreds)
	}
	if got := timeseriesColumn(t, csv, "status_2xx"); got != s.Status["200"] {
		t.Errorf("timeseries.csv: status_2xx adds up to %d, summary.json has %d 200s", got, s.Status["200"])
	}
	svg := filepath.Join(t.TempDir(), "timeline.svg")
	if _, stderr, code := runBin(t, "plot", out, "--kind", "timeline", "-o", svg); code != ExitOK {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	chart, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	want := "non-2xx/3xx/s (" + stats.GroupDigits(int64(fiveHundreds)) + " in all)"
	if !strings.Contains(string(chart), want) {
		t.Errorf("the timeline drawn from the files lacks %q", want)
	}
}
