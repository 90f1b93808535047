package cmd

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// printedCounts parses the --latency table: percentile -> count.
func printedCounts(t *testing.T, text string) map[float64]int64 {
	t.Helper()
	_, table, ok := strings.Cut(text, "Latency distribution\n")
	if !ok {
		t.Fatalf("no distribution in:\n%s", text)
	}
	out := map[float64]int64{}
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || !strings.HasSuffix(f[0], "%") {
			continue
		}
		p, err1 := strconv.ParseFloat(strings.TrimSuffix(f[0], "%"), 64)
		n, err2 := strconv.ParseInt(strings.ReplaceAll(f[2], ",", ""), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[p] = n
	}
	return out
}

// hgrmCounts parses an hgrm's rows: percentile (0 to 100) -> TotalCount.
func hgrmCounts(t *testing.T, text string) map[float64]int64 {
	t.Helper()
	out := map[float64]int64{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || strings.HasPrefix(line, "#") {
			continue
		}
		q, err1 := strconv.ParseFloat(f[1], 64)
		n, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[math.Round(q*1e6)/1e4] = n
	}
	return out
}

// checkCountsMatch fails when a row of the --latency table has another
// count than the hgrm's row of the same percentile.
func checkCountsMatch(t *testing.T, printed, hgrm map[float64]int64) int {
	t.Helper()
	matched := 0
	for p, n := range printed {
		if h, ok := hgrm[p]; ok {
			matched++
			if n != h {
				t.Errorf("%v%%: count %d, latency.hgrm says %d", p, n, h)
			}
		}
	}
	return matched
}

// TestDistributionCountsMatchHgrm: each row of the --latency table counts
// the responses at or below its latency as latency.hgrm's TotalCount
// does; the 0% row said 0 where the hgrm said 7, its bucket being wider
// than 2 µs.
func TestDistributionCountsMatchHgrm(t *testing.T) {
	res := stats.NewResult()
	for range 7 {
		res.Latency.RecordValue(14600) // µs: a bucket 8 µs wide
	}
	for i := range 93 {
		res.Latency.RecordValue(int64(15000 + 300*i))
	}
	var text, hgrm bytes.Buffer
	printDistribution(&text, res)
	if err := stats.WriteHgrm(&hgrm, res.Latency); err != nil {
		t.Fatal(err)
	}
	printed := printedCounts(t, text.String())
	if printed[0] != 7 || printed[100] != 100 {
		t.Errorf("0%%: %d, 100%%: %d; want 7 and 100\n%s", printed[0], printed[100], text.String())
	}
	if n := checkCountsMatch(t, printed, hgrmCounts(t, hgrm.String())); n < 10 {
		t.Errorf("only %d rows to compare", n)
	}
}

// TestLatencyDistributionCLI: a pipelined run's --latency table agrees
// with the latency.hgrm it writes.
func TestLatencyDistributionCLI(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{Delay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "http://" + srv.Addr() + "/"
	dir := t.TempDir()
	stdout, stderr, code := runBin(t, "run", url, "-c", "4", "--pipeline", "8", "-n", "2000", "--latency", "--out", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "latency.hgrm"))
	if err != nil {
		t.Fatal(err)
	}
	printed := printedCounts(t, stdout)
	hgrm := hgrmCounts(t, string(b))
	// 0% and 100% always name the same bucket in both: the first and the
	// last one with a count.
	if printed[0] != hgrm[0] || printed[100] != hgrm[100] || printed[100] != 2000 {
		t.Errorf("0%%: %d and 100%%: %d; latency.hgrm says %d and %d of 2000", printed[0], printed[100], hgrm[0], hgrm[100])
	}

}
