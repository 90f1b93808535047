package cmd

import (
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/plots"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// pngSize returns the width and height of the PNG at path.
func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

// `nowait plot DIR` draws a directory of `nowait compare --out` again, as
// compare.png or -o, at --size: QA's 'plot c-closed' failed with "no
// summary.json", so a comparison could not be redrawn or resized. Its
// other kinds, and mixing it with runs, are one line and exit 2.
func TestPlotRedrawsAComparison(t *testing.T) {
	_, ra := savedRun(t, 21, "async", 2, 500)
	s := stats.Summarize(ra)
	dir := filepath.Join(t.TempDir(), "cmp")
	r := CompareReport{Schema: stats.SchemaVersion, Target: "http://127.0.0.1:8080/", Duration: 2, Model: "closed", Cells: []CompareCell{
		{Mode: "async", Connections: 10, Summary: &s}, {Mode: "sync", Connections: 10, Summary: &s},
	}}
	if _, err := writeCompare(dir, r, plots.Size{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "compare.png")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBin(t, "plot", dir)
	if code != ExitOK || stdout != "Wrote "+filepath.Join(dir, "compare.png")+"\n" {
		t.Fatalf("plot %s: exit %d, stdout %q, stderr %q", dir, code, stdout, stderr)
	}
	if w, h := pngSize(t, filepath.Join(dir, "compare.png")); w != 1200 || h != 750 {
		t.Errorf("compare.png is %dx%d, want the default 1200x750", w, h)
	}
	big := filepath.Join(t.TempDir(), "big.png")
	if _, stderr, code := runBin(t, "plot", dir, "--size", "12x7", "-o", big); code != ExitOK {
		t.Fatalf("plot --size 12x7: exit %d: %s", code, stderr)
	}
	if w, h := pngSize(t, big); w != 1800 || h != 1050 {
		t.Errorf("--size 12x7 drew %dx%d, want 1800x1050", w, h)
	}
	run, _ := savedRun(t, 22, "async", 2, 500)
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{dir, "--kind", "timeline"}, "holds a comparison (compare.json), which has no timeline"},
		{[]string{dir, run}, "holds a comparison (compare.json), not a run: draw it alone"},
		{[]string{run, "--kind", "compare", "-o", filepath.Join(t.TempDir(), "c.png")}, "has no compare.json"},
	} {
		_, stderr, code := runBin(t, append([]string{"plot"}, tc.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tc.says) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("plot %v: exit %d, stderr %q; want %d and one line saying %q", tc.args, code, stderr, ExitUsage, tc.says)
		}
	}
}

// compare --size draws its chart at that size; without --out it has no
// chart to size, and a size below the least is refused, both before any
// cell runs.
func TestCompareSize(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	out := filepath.Join(t.TempDir(), "cmp")
	_, stderr, code := runBin(t, "compare", srv.URL(), "--modes", "async", "--connections", "2", "-d", "200ms", "--out", out, "--size", "6x4")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if w, h := pngSize(t, filepath.Join(out, "compare.png")); w != 900 || h != 600 {
		t.Errorf("--size 6x4 drew %dx%d, want 900x600", w, h)
	}
	served := srv.Served()
	for _, args := range [][]string{{"--size", "6x4"}, {"--size", "2x2", "--out", filepath.Join(t.TempDir(), "c")}} {
		_, stderr, code := runBin(t, append([]string{"compare", srv.URL(), "--modes", "async", "--connections", "2", "-d", "200ms"}, args...)...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") > 0 || !strings.Contains(stderr, "--size") {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line about --size", args, code, stderr, ExitUsage)
		}
	}
	if got := srv.Served() - served; got != 0 {
		t.Errorf("the refused comparisons sent %d requests; want none", got)
	}
}
