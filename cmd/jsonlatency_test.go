package cmd

import (
	"encoding/json"
	"testing"

	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestJSONLatencyHasDistribution: --json --latency adds the rows of the
// --latency table to the JSON (latency_distribution) rather than
// dropping them; report --json --latency does the same from the files.
func TestJSONLatencyHasDistribution(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "http://" + srv.Addr() + "/"
	dir := t.TempDir()
	for _, args := range [][]string{
		{"run", url, "-c", "2", "-n", "200", "--latency", "--json", "--out", dir},
		{"report", dir, "--latency", "--json"},
	} {
		stdout, stderr, code := runBin(t, args...)
		var s struct {
			stats.Summary
			LatencyDistribution []distributionRow `json:"latency_distribution"`
		}
		if err := json.Unmarshal([]byte(stdout), &s); err != nil || code != ExitOK {
			t.Fatalf("%v: exit %d, %v\n%s%s", args, code, err, stdout, stderr)
		}
		rows := s.LatencyDistribution
		if len(rows) != len(distributionPercentiles) || rows[len(rows)-1].Count != 200 || rows[0].LatencyMs <= 0 || s.Responses != 200 {
			t.Errorf("%v: latency_distribution %+v; want %d rows up to 200 responses", args, rows, len(distributionPercentiles))
		}
	}
}
