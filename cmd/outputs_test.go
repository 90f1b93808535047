package cmd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestOutputPathsCheckedBeforeTheRun: an --out that is a file or cannot be
// made, and a --junit whose directory cannot be made, are usage errors
// (exit 2, one line) before any request reaches the target.
func TestOutputPathsCheckedBeforeTheRun(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	dir := t.TempDir()
	afile := filepath.Join(dir, "afile")
	if err := os.WriteFile(afile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		flags []string
		want  string
	}{
		{[]string{"-o", afile}, "--out " + afile + " is a file, not a directory; want a directory"},
		{[]string{"-o", "/proc/x/y"}, "--out /proc/x/y cannot be created: /proc/x: "},
		{[]string{"--junit", filepath.Join(afile, "junit.xml")}, "its directory " + afile + " is a file, not a directory"},
		{[]string{"--junit", dir}, "is a directory; want a file name such as " + filepath.Join(dir, "junit.xml")},
		{[]string{"--junit", filepath.Join(dir, "jdir") + "/"}, "want a file name such as " + filepath.Join(dir, "jdir", "junit.xml")},
	}
	for _, tc := range cases {
		checkOneLine(t, badInput{args: append([]string{"run", srv.URL(), "-c", "2", "-d", "2s"}, tc.flags...), code: ExitUsage, want: []string{tc.want}})
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests; the output paths should have been refused before the run", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "jdir")); err == nil {
		t.Fatal("--junit jdir/ left a directory jdir behind")
	}
}

// TestJUnitMakesItsDirectory: --junit into a directory that does not exist
// yet makes it, as --out does, and the verdict (exit 3) is written there.
func TestJUnitMakesItsDirectory(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeScenario(t, srv.URL(), "  - rps > 1e12\n")
	junit := filepath.Join(t.TempDir(), "nodir", "deeper", "junit.xml")
	stdout, stderr, code := runBin(t, "run", path, "--set", "load.requests=50", "--junit", junit)
	if code != ExitThresholds {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitThresholds, stdout, stderr)
	}
	data, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(data), "<failure") {
		t.Fatalf("junit %s: %v\n%s", junit, err, data)
	}
}

// TestWriteFailureKeepsTheVerdict: when the results cannot be written
// after a run, a breached threshold still sets the exit code (3) and the
// write failure is printed beside it; with no verdict, the write failure
// sets the code.
func TestWriteFailureKeepsTheVerdict(t *testing.T) {
	var stderr bytes.Buffer
	a := &app{stdout: &bytes.Buffer{}, stderr: &stderr}
	breached := &exitError{code: ExitThresholds, err: errors.New("1 of the checks failed")}
	writeErr := runErr(errors.New("--junit: read-only file system"))
	err := a.verdict(nil, breached, []error{writeErr})
	if exitCode(err) != ExitThresholds || !strings.Contains(stderr.String(), "nowait: --junit: read-only file system") {
		t.Fatalf("exit %d (%v), stderr %q; want 3 and the write failure printed", exitCode(err), err, stderr.String())
	}
	stderr.Reset()
	if err := a.verdict(nil, nil, []error{writeErr}); exitCode(err) != ExitRunFailed || stderr.Len() != 0 {
		t.Fatalf("no verdict: exit %d (%v), stderr %q; want 1 with the write failure as the error", exitCode(err), err, stderr.String())
	}
}

// A command that fails before it measured anything leaves no new
// directory behind, however deep the --out it made (the check that it
// takes files makes it first), and leaves a directory that was there
// before as it was: merge given runs that do not overlap, a missing run,
// runs of two targets or a compare directory; plot given a directory that
// holds no run, or a comparison with no cell to draw (as a run with no
// response, it has nothing to draw: exit 1); run whose --junit is refused after its --out was made;
// and hold and compare refusing a flag.
func TestFailedCommandsLeaveNoNewDirectory(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	a := savedRunAt(t, "a", mergeStart, tgt, 2)
	late := savedRunAt(t, "late", mergeStart.Add(23*time.Second), tgt, 2)
	other := savedRunAt(t, "other", mergeStart.Add(time.Millisecond), "http://127.0.0.2:1/", 2)
	cmpDir := filepath.Join(t.TempDir(), "cmp")
	if err := os.MkdirAll(cmpDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cmpDir, "compare.json"), []byte(`{"schema_version":1,"cells":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	afile := filepath.Join(base, "afile")
	if err := os.WriteFile(afile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "http://" + closedPort(t) + "/"
	for _, tc := range []struct {
		name string
		args []string // the output directory is appended
		code int
	}{
		{"merge of runs that do not overlap", []string{"merge", a, late, "--out"}, ExitUsage},
		{"merge of a missing run", []string{"merge", a, filepath.Join(base, "missing"), "--out"}, ExitUsage},
		{"merge of two targets", []string{"merge", a, other, "--out"}, ExitUsage},
		{"merge of a compare directory", []string{"merge", a, cmpDir, "--out"}, ExitUsage},
		{"plot of a comparison with no cell", []string{"plot", cmpDir, "-o"}, ExitRunFailed},
		{"plot of a directory with no run", []string{"plot", base, "-o"}, ExitUsage},
		{"run with a --junit under a file", []string{"run", url, "-d", "1s", "--junit", filepath.Join(afile, "j.xml"), "--out"}, ExitUsage},
		{"hold refusing -R", []string{"hold", url, "-R", "5", "--out"}, ExitUsage},
		{"compare refusing a mode", []string{"compare", url, "--modes", "nosuch", "--out"}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := filepath.Join(t.TempDir(), "new")
			out := filepath.Join(top, "deeper", "out")
			if tc.args[0] == "plot" {
				out = filepath.Join(out, "spectrum.png")
			}
			stdout, stderr, code := runBin(t, append(tc.args, out)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			if _, err := os.Stat(top); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s is left behind (stat: %v)", top, err)
			}
			// A directory that was there, empty, stays.
			existing := t.TempDir()
			if tc.args[0] == "plot" {
				existing = filepath.Join(existing, "spectrum.png")
			}
			if _, _, code := runBin(t, append(tc.args, existing)...); code != tc.code {
				t.Fatalf("into an existing directory: exit %d, want %d", code, tc.code)
			}
			if fi, err := os.Stat(filepath.Dir(existing)); err != nil || !fi.IsDir() {
				t.Errorf("the existing directory is gone: %v", err)
			}
		})
	}
}
