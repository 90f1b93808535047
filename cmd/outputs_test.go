package cmd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
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
		{[]string{"-o", "/proc/x/y"}, "--out /proc/x/y cannot be created: mkdir /proc/x"},
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
	res := stats.NewResult()
	res.Connects, res.Responses = 1, 1
	breached := &exitError{code: ExitThresholds, err: errors.New("1 of the checks failed")}
	writeErr := runErr(errors.New("--junit: read-only file system"))
	err := a.verdict(res, breached, []error{writeErr})
	if exitCode(err) != ExitThresholds || !strings.Contains(stderr.String(), "nowait: --junit: read-only file system") {
		t.Fatalf("exit %d (%v), stderr %q; want 3 and the write failure printed", exitCode(err), err, stderr.String())
	}
	stderr.Reset()
	if err := a.verdict(res, nil, []error{writeErr}); exitCode(err) != ExitRunFailed || stderr.Len() != 0 {
		t.Fatalf("no verdict: exit %d (%v), stderr %q; want 1 with the write failure as the error", exitCode(err), err, stderr.String())
	}
}
