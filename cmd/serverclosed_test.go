package cmd

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// TestHoldReportsServerCloses: `nowait hold` against a server that closes
// the first 6 connections 50 ms after accepting them, idle, and keeps the
// rest says so in every mode: a Closed line in the text report, with the
// 6 closes and no error, and server_closed in summary.json and
// timeseries.csv (whose rows add up to it).
func TestHoldReportsServerCloses(t *testing.T) {
	const closing = 6
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			peers := enginetest.ListenPeers(t, func(n int) time.Duration {
				if n < closing {
					return 50 * time.Millisecond
				}
				return enginetest.Keep
			})
			out := t.TempDir()
			stdout, stderr, code := runBin(t, "hold", "http://"+peers.Addr()+"/", "--mode", mode, "-c", "3", "-d", "600ms", "--out", out)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if peers.Total() != 3+closing {
				t.Fatalf("the server accepted %d connections, want %d: 3 held, %d of them closed and opened again", peers.Total(), 3+closing, closing)
			}
			for _, want := range []string{
				"  Closed        6 held connections closed by the server (reconnected)\n",
				"  Errors        none\n",
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("the report lacks %q:\n%s", want, stdout)
				}
			}
			var s stats.Summary
			b, err := os.ReadFile(filepath.Join(out, stats.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			if s.ServerClosed != closing || s.ErrorTotal != 0 || !strings.Contains(string(b), `"server_closed": 6`) {
				t.Errorf("summary.json: server_closed %d, errors %v; want %d and none", s.ServerClosed, s.Errors, closing)
			}
			if sum := timeseriesColumn(t, filepath.Join(out, stats.TimeseriesFile), "server_closed"); sum != closing {
				t.Errorf("timeseries.csv: server_closed adds up to %d, want %d", sum, closing)
			}
		})
	}
}

// timeseriesColumn returns the sum of the named column of a
// timeseries.csv.
func timeseriesColumn(t *testing.T, path, name string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %d rows, %v", path, len(rows), err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s has no column %q: %v", path, name, rows[0])
	}
	var sum uint64
	for _, r := range rows[1:] {
		v, err := strconv.ParseUint(r[col], 10, 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", path, r[col], err)
		}
		sum += v
	}
	return sum
}
