package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/plots"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// runCLI runs args in process with plot, report and merge registered
// (whether or not root.go registers them yet) and returns stdout, stderr
// and the exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, selfExe: os.Executable}
	root := newRootCmd(a)
	have := map[string]bool{}
	for _, c := range root.Commands() {
		have[c.Name()] = true
	}
	for _, c := range []struct {
		name string
		add  func()
	}{
		{"plot", func() { root.AddCommand(newPlotCmd(a)) }},
		{"report", func() { root.AddCommand(newReportCmd(a)) }},
		{"merge", func() { root.AddCommand(newMergeCmd(a)) }},
	} {
		if !have[c.name] {
			c.add()
		}
	}
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(root.FlagErrorFunc())
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errb.WriteString("nowait: " + err.Error() + "\n")
	}
	return out.String(), errb.String(), exitCode(err)
}

// savedRun records secs seconds of responses around baseUs into a Result
// and saves it to a new directory.
func savedRun(t *testing.T, seed uint64, mode string, secs int, baseUs int64) (string, *stats.Result) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= secs; s++ {
		for i := 0; i < 400; i++ {
			us := baseUs + int64(rng.ExpFloat64()*float64(baseUs))
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, us*1000, us*1000)
		}
		if s == 2 {
			rec.RecordError(stats.ErrReset)
		}
		rec.CloseInterval(int64(s)*1e9, 8)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections = mode, "closed", "http://127.0.0.1:1/", 8
	// Each seed its own start, a few ms apart: two runs never start at
	// the same nanosecond, which merge takes for one run given twice.
	res.Start = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Millisecond)
	res.Elapsed = time.Duration(secs) * time.Second
	dir := filepath.Join(t.TempDir(), mode)
	if err := stats.WriteDir(dir, res); err != nil { // data only: charts are slow under -race
		t.Fatal(err)
	}
	return dir, res
}

func requirePNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 600 || h < 440 {
		t.Fatalf("%s is %dx%d", path, w, h)
	}
}

// A real run against the built-in target, saved with writeResults and
// reported from the files, counts what the target served.
func TestSavedRunReportsWhatTheTargetServed(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	f := &runFlags{connections: 4, requests: 2000, loops: 1, pipeline: 1, method: "GET",
		timeout: engine.DefaultTimeout, connectTimeout: engine.DefaultConnectTimeout}
	plan, err := planFromFlags(ctx, srv.URL(), f)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := newEngine("async")
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Execute(ctx, eng, plan)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := writeResults(dir, res, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"summary.json", "latency.hlog", "histograms.hlog", "latency.hgrm", "timeseries.csv", "spectrum.png", "spectrum.svg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	requirePNG(t, filepath.Join(dir, "spectrum.png"))

	stdout, stderr, code := runCLI(t, "report", dir, "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Responses != 2000 || uint64(srv.Served()) != s.Responses || s.Latency.Count != 2000 {
		t.Fatalf("report: %d responses, %d in the histogram; target served %d", s.Responses, s.Latency.Count, srv.Served())
	}
	stdout, _, code = runCLI(t, "report", dir, "--latency")
	if code != ExitOK || !strings.Contains(stdout, "2,000 answered") && !strings.Contains(stdout, "2000 answered") || !strings.Contains(stdout, "Latency distribution") {
		t.Fatalf("report text (exit %d):\n%s", code, stdout)
	}
}

func TestPlotCommand(t *testing.T) {
	a, _ := savedRun(t, 1, "async", 4, 500)
	b, _ := savedRun(t, 2, "sync", 4, 1500)
	out := filepath.Join(t.TempDir(), "both.png")
	stdout, stderr, code := runCLI(t, "plot", a, b, "-o", out, "--size", "4.5x3")
	if code != ExitOK || !strings.Contains(stdout, "Wrote "+out) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	requirePNG(t, out)

	svg := filepath.Join(t.TempDir(), "tl.svg")
	if _, stderr, code := runCLI(t, "plot", a, "--kind", "timeline", "-o", svg, "--size", "4x3"); code != ExitOK {
		t.Fatalf("timeline exit %d: %s", code, stderr)
	}
	body, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(body, []byte("Time since start (s)")) || !bytes.Contains(body, []byte(`width="288pt"`)) {
		t.Fatalf("timeline svg: %v %.200s", err, body)
	}

	if _, _, code := runCLI(t, "plot", a, "--kind", "timeline", "--size", "4.5x3"); code != ExitOK {
		t.Fatal("default output")
	}
	requirePNG(t, filepath.Join(a, "timeline.png"))
}

func TestResultCommandErrors(t *testing.T) {
	a, _ := savedRun(t, 3, "async", 2, 500)
	b, _ := savedRun(t, 4, "sync", 2, 500)
	empty := t.TempDir()
	file := filepath.Join(empty, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(old, os.DirFS(b)); err != nil {
		t.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(old, "summary.json"))
	sum = bytes.Replace(sum, []byte(`"schema_version": 1`), []byte(`"schema_version": 0`), 1)
	if err := os.WriteFile(filepath.Join(old, "summary.json"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"plot on a dir without results", []string{"plot", empty}, ExitUsage, "holds no nowait results (no summary.json)"},
		{"report without results", []string{"report", empty}, ExitUsage, "no summary.json"},
		{"plot to .gif", []string{"plot", a, "-o", filepath.Join(empty, "x.gif")}, ExitUsage, ".png or .svg"},
		{"timeline of two", []string{"plot", a, b, "--kind", "timeline"}, ExitUsage, "one run"},
		{"bad kind", []string{"plot", a, "--kind", "pie"}, ExitUsage, "unknown --kind"},
		{"bad size", []string{"plot", a, "--size", "big"}, ExitUsage, "WIDTHxHEIGHT"},
		{"merge one", []string{"merge", a, "--out", filepath.Join(empty, "m")}, ExitUsage, "two or more"},
		{"merge without out", []string{"merge", a, b}, ExitUsage, "needs --out"},
		{"merge into an input", []string{"merge", a, b, "--out", a}, ExitUsage, "one of the runs"},
		{"merge out is a file", []string{"merge", a, b, "--out", file}, ExitUsage, "not a directory"},
		{"merge of another schema", []string{"merge", a, old, "--out", filepath.Join(empty, "m2")}, ExitUsage, "schema 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q\nstdout: %s", code, tc.code, stderr, tc.want, stdout)
			}
		})
	}
}

// Merging two saved runs gives exactly the in-memory merge, and the
// merged directory reads back as itself.
func TestMergeCommandIsExact(t *testing.T) {
	a, ra := savedRun(t, 5, "async", 3, 700)
	b, rb := savedRun(t, 6, "async", 4, 2000)
	out := filepath.Join(t.TempDir(), "all")
	stdout, stderr, code := runCLI(t, "merge", a, b, "--out", out, "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got stats.Summary
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	ra.Merge(rb)
	want := stats.Summarize(ra)
	if got.Responses != want.Responses || got.Responses != 2800 || got.Latency.Count != 2800 || got.ErrorTotal != 2 {
		t.Fatalf("merged %d responses (%d in histogram, %d errors), want %d", got.Responses, got.Latency.Count, got.ErrorTotal, want.Responses)
	}
	for _, p := range stats.SummaryPercentiles {
		if got.Latency.P(p) != want.Latency.P(p) {
			t.Errorf("p%v: merged from files %v ms, in memory %v ms", p, got.Latency.P(p), want.Latency.P(p))
		}
	}
	back, err := stats.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Latency.Equals(ra.Latency) || len(back.Intervals) != 4 || back.Intervals[0].Responses != 800 {
		t.Fatalf("merged dir reads back as %d values, %d intervals", back.Latency.TotalCount(), len(back.Intervals))
	}
	requirePNG(t, filepath.Join(out, "spectrum.png"))
	requirePNG(t, filepath.Join(out, "timeline.png"))
	if _, err := os.Stat(filepath.Join(out, "timeline.svg")); err != nil {
		t.Fatal(err)
	}
}

func TestCompareChartHook(t *testing.T) {
	dir := t.TempDir()
	_, ra := savedRun(t, 7, "async", 2, 500)
	s := stats.Summarize(ra)
	r := CompareReport{Cells: []CompareCell{
		{Mode: "async", Connections: 10, Summary: &s},
		{Mode: "async", Connections: 100, Summary: &s},
		{Mode: "sync", Connections: 10, Summary: &s},
		{Mode: "sync", Connections: 100, Error: "refused"},
	}}
	drawn, err := drawCompareChart(dir, r, plots.Size{}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "compare.png"), filepath.Join(dir, "compare.svg")}; !slices.Equal(drawn, want) {
		t.Errorf("drew %v, want %v", drawn, want)
	}
	requirePNG(t, filepath.Join(dir, "compare.png"))
	// The warning may wrap: its words are checked, not its lines.
	if svg, err := os.ReadFile(filepath.Join(dir, "compare.svg")); err != nil ||
		!strings.Contains(string(svg), "not drawn: sync at 100 conns") || !strings.Contains(string(svg), "(failed)") {
		t.Errorf("compare.svg does not name the failed cell (%v)", err)
	}
	if drawn, err := drawCompareChart(t.TempDir(), CompareReport{}, plots.Size{}, io.Discard); err != nil || len(drawn) != 0 {
		t.Fatalf("no cells: drew %v, %v; want no chart and no error", drawn, err)
	}
}

// The built binary runs report, plot and merge once root.go registers
// them; until then the test skips.
func TestBinaryResultCommands(t *testing.T) {
	a, ra := savedRun(t, 8, "async", 3, 600)
	b, rb := savedRun(t, 9, "async", 3, 900)
	stdout, stderr, code := runBin(t, "report", a)
	if strings.Contains(stderr, "unknown command") {
		t.Skip("report, plot and merge are not registered in root.go yet")
	}
	if code != ExitOK || !strings.Contains(stdout, "async mode, closed model") {
		t.Fatalf("report: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "all")
	if _, stderr, code := runBin(t, "merge", a, b, "--out", out); code != ExitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	stdout, stderr, code = runBin(t, "report", out, "--json")
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); code != ExitOK || err != nil {
		t.Fatalf("report --json of the merge: exit %d, %v: %s", code, err, stderr)
	}
	if want := ra.Responses + rb.Responses; s.Responses != want || s.Latency.Count != int64(want) {
		t.Fatalf("merged report: %d responses, %d in the histogram; want %d", s.Responses, s.Latency.Count, want)
	}
	png := filepath.Join(t.TempDir(), "s.png")
	if _, stderr, code := runBin(t, "plot", a, b, out, "-o", png, "--size", "4.5x3"); code != ExitOK {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	requirePNG(t, png)
	if _, stderr, code := runBin(t, "plot", t.TempDir()); code != ExitUsage || !strings.Contains(stderr, "no nowait results") {
		t.Fatalf("plot of an empty dir: exit %d: %s", code, stderr)
	}
}

// TestUndrawableChartsAreRemoved reuses a result directory holding charts
// of an earlier run: a run with no responses and a comparison with no
// completed cell have nothing to draw, so the old charts, which would
// contradict the new data, are removed, and a note says so.
func TestUndrawableChartsAreRemoved(t *testing.T) {
	old := func(dir string, names ...string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("an old chart"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "stale")
	old(dir, "spectrum.png", "spectrum.svg")
	_, stderr, code := runBin(t, "run", "http://"+closedPort(t)+"/", "-c", "2", "-d", "300ms", "--out", dir)
	if code != ExitRunFailed {
		t.Fatalf("exit %d, want %d: %s", code, ExitRunFailed, stderr)
	}
	for _, n := range []string{"spectrum.png", "spectrum.svg"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("the old %s is still there beside a summary of 0 responses", n)
		}
	}
	if !strings.Contains(stderr, "note: no spectrum chart (no latency was recorded); removed the old spectrum.png/.svg from "+dir) {
		t.Errorf("stderr does not say the old spectrum was removed: %q", stderr)
	}

	cmp := filepath.Join(t.TempDir(), "cmp")
	old(cmp, "compare.png", "compare.svg")
	var notes bytes.Buffer
	r := CompareReport{Cells: []CompareCell{{Mode: "async", Connections: 10, Error: "refused"}}}
	if _, err := drawCompareChart(cmp, r, plots.Size{}, &notes); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"compare.png", "compare.svg"} {
		if _, err := os.Stat(filepath.Join(cmp, n)); err == nil {
			t.Errorf("the old %s is still there though no cell completed", n)
		}
	}
	if !strings.Contains(notes.String(), "removed the old compare.png/.svg") {
		t.Errorf("notes %q do not say the old chart was removed", notes.String())
	}
}
