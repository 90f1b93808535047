package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// savedFailedRun saves a run in which every request failed: no responses.
func savedFailedRun(t *testing.T) string {
	t.Helper()
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for range 14 {
		rec.RecordError(stats.ErrConnectRefused)
	}
	rec.CloseInterval(1e9, 0)
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections = "async", "closed", "http://127.0.0.1:1/", 2
	res.Start, res.Elapsed = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), time.Second
	dir := filepath.Join(t.TempDir(), "rnone")
	if err := stats.WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A run with no responses is left out of a spectrum with a note that
// names it; alone, the error names it and says why.
func TestPlotSaysWhichRunIsLeftOut(t *testing.T) {
	none := savedFailedRun(t)
	a, _ := savedRun(t, 21, "async", 2, 500)
	out := filepath.Join(t.TempDir(), "x.svg")
	_, stderr, code := runCLI(t, "plot", none, a, "-o", out)
	if code != ExitOK || !strings.Contains(stderr, "note: "+none+" (0 requests, 14 errors) is left out of the spectrum: it has no responses") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	svg, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(svg), "async: p50") || strings.Contains(string(svg), "rnone") {
		t.Fatalf("chart: %v; has async %v, has rnone %v", err, strings.Contains(string(svg), "async: p50"), strings.Contains(string(svg), "rnone"))
	}
	_, stderr, code = runCLI(t, "plot", none, "-o", filepath.Join(t.TempDir(), "none.png"))
	if code != ExitRunFailed || !strings.Contains(stderr, none+" (0 requests, 14 errors) has no responses") || strings.Contains(stderr, "1 runs") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCLI(t, "plot", none, savedFailedRun(t), "-o", filepath.Join(t.TempDir(), "none.png"))
	if code != ExitRunFailed || !strings.Contains(stderr, "none of the 2 runs has responses") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// A spectrum refuses a directory given twice, by any path, as merge does:
// one line, exit 2, and no chart with the same line twice.
func TestPlotRefusesARunGivenTwice(t *testing.T) {
	a, _ := savedRun(t, 24, "async", 2, 500)
	b, _ := savedRun(t, 25, "async", 2, 500)
	for _, args := range [][]string{{a, a}, {a, b, a + "/."}} {
		out := filepath.Join(t.TempDir(), "x.png")
		_, stderr, code := runCLI(t, append(append([]string{"plot"}, args...), "-o", out)...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "is given twice") || !strings.Contains(stderr, "drawn twice") {
			t.Errorf("plot %v: exit %d (want %d), stderr %q", args, code, ExitUsage, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("plot %v wrote a chart", args)
		}
	}
}

// --size below what draws cleanly is refused, saying the range.
func TestPlotSizeMinimum(t *testing.T) {
	a, _ := savedRun(t, 22, "async", 2, 500)
	_, stderr, code := runCLI(t, "plot", a, "--size", "3x3", "-o", filepath.Join(t.TempDir(), "x.png"))
	if code != ExitUsage || !strings.Contains(stderr, "4 to 40 wide and 3 to 40 high") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, "plot", a, "--size", "4x3", "-o", filepath.Join(t.TempDir(), "x.png")); code != ExitOK {
		t.Fatalf("4x3: exit %d, stderr %q", code, stderr)
	}
}

// Messages about result files say what the path is and what to give
// instead, and never name a temporary file.
func TestResultFileMessages(t *testing.T) {
	a, _ := savedRun(t, 23, "async", 2, 500)
	bad := func(content string) string {
		d := filepath.Join(t.TempDir(), "bad")
		if err := os.CopyFS(d, os.DirFS(a)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "summary.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"report of summary.json", []string{"report", filepath.Join(a, "summary.json")}, ExitUsage,
			filepath.Join(a, "summary.json") + " is a file; give the result directory that holds it (" + a + ")"},
		{"empty object", []string{"report", bad("{}")}, ExitUsage, "is not a nowait summary: it has no schema_version (nowait writes 1)"},
		{"array", []string{"report", bad("[1, 2]")}, ExitUsage, "is not a nowait summary: it holds a JSON array, not an object"},
		{"chart under a file", []string{"plot", a, "-o", filepath.Join(file, "x.png")}, ExitUsage, "its directory " + file + " is a file, not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, ".tmp-") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q", code, tc.code, stderr, tc.want)
			}
		})
	}
	out := filepath.Join(t.TempDir(), "new", "dir", "x.png")
	if _, stderr, code := runCLI(t, "plot", a, "-o", out); code != ExitOK {
		t.Fatalf("plot into a new directory: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}

// report, plot and merge treat a result directory that is damaged as the
// one that is missing: a bad argument, exit 2, in one line naming the
// file (was exit 1 for a truncated summary.json, 2 for a missing one).
func TestDamagedResultsAreBadArguments(t *testing.T) {
	a, _ := savedRun(t, 24, "async", 2, 500)
	b, _ := savedRun(t, 25, "async", 2, 500)
	damaged := func(file string, edit func([]byte) []byte) string {
		d := filepath.Join(t.TempDir(), "damaged")
		if err := os.CopyFS(d, os.DirFS(a)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(d, file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if edit == nil {
			err = os.Remove(path)
		} else {
			err = os.WriteFile(path, edit(data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	half := func(b []byte) []byte { return b[:len(b)/2] }
	truncated := damaged("summary.json", half)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"report, summary.json truncated", []string{"report", truncated}, filepath.Join(truncated, "summary.json") + " is not a nowait summary: it ends early"},
		{"report, no directory", []string{"report", missing}, missing + " does not exist"},
		{"report, histograms.hlog truncated", []string{"report", damaged("histograms.hlog", half)}, "histograms.hlog"},
		{"report, timeseries.csv missing", []string{"report", damaged("timeseries.csv", nil)}, "has no timeseries.csv"},
		{"plot, summary.json truncated", []string{"plot", truncated, "-o", filepath.Join(t.TempDir(), "x.png")}, filepath.Join(truncated, "summary.json") + " is not a nowait summary: it ends early"},
		{"merge, summary.json truncated", []string{"merge", b, truncated, "--out", filepath.Join(t.TempDir(), "m")}, filepath.Join(truncated, "summary.json") + " is not a nowait summary: it ends early"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runBin(t, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d (want %d), stderr %q; want one line with %q", code, ExitUsage, stderr, tc.want)
			}
		})
	}
}

// plot --help says what a timeline draws as it draws it: the target rate
// of a ramp follows its stages (it said "the constant target rate"), and
// a hold run without --every gets its connections alone.
func TestPlotHelpSaysRampsAreDrawn(t *testing.T) {
	stdout, stderr, code := runCLI(t, "plot", "--help")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	help := strings.Join(strings.Fields(stdout), " ")
	for _, want := range []string{
		"the target rate (constant, or following the stages of a ramp)",
		"open-model and hold runs label their latency as timed from the intended send",
		"a hold run without --every charts its connections (and errors) alone",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("plot --help lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(help, "constant target rate") {
		t.Errorf("plot --help still says the target rate is constant:\n%s", stdout)
	}
}

// plot --help puts a spectrum's legend where the chart and the README put
// it, above the plot (it said "below"), and names what a timeline draws
// since QA's pass: failed statuses per second, the moment a hold run had
// all its connections open.
func TestPlotHelpSaysWhereTheLegendIs(t *testing.T) {
	stdout, stderr, code := runCLI(t, "plot", "--help")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	help := strings.Join(strings.Fields(stdout), " ")
	for _, want := range []string{
		"the legend sits above the plot, in columns when there are many runs",
		"failures in a panel of their own: responses with a status outside 200-399 per second, and errors per second with their kinds",
		"open connections for hold runs (with the moment all were open)",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("plot --help lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(help, "below the plot") {
		t.Errorf("plot --help says the legend is below the plot:\n%s", stdout)
	}
	long, _, _ := strings.Cut(stdout, "Usage:")
	for _, line := range strings.Split(long, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("plot --help text line wider than 80 columns: %q", line)
		}
	}
}

// -o is checked before any run is read, as run's --out is: a chart path
// under a file or naming a directory is a usage error in one line.
func TestPlotChecksItsOutputFirst(t *testing.T) {
	a, _ := savedRun(t, 26, "async", 2, 500)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-run")
	for _, tc := range []struct {
		out, says string
	}{
		{filepath.Join(file, "x.png"), "is a file, not a directory"},
		{t.TempDir(), "is a directory; want a chart file name"},
	} {
		for _, run := range []string{a, missing} {
			_, stderr, code := runCLI(t, "plot", run, "-o", tc.out)
			if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "-o "+tc.out) || !strings.Contains(stderr, tc.says) {
				t.Errorf("plot %s -o %s: exit %d (want %d), stderr %q", run, tc.out, code, ExitUsage, stderr)
			}
		}
	}
}
