package cmd

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nowait/nowait/stats"
)

// outputs says what a run prints and writes.
type outputs struct {
	dir     string
	dirName valueName // how the user named dir: --out or outputs.dir
	json    bool
	latency bool
}

// prepareOutputs makes sure, before any load is sent, that the result
// directory and the JUnit file's directory exist (creating them, as the
// writes after the run would) and take files: a run must not end with its
// verdict lost to a path that could have been checked first. Both are
// checked, and each problem reported.
func prepareOutputs(out outputs, g gates, made *newDirs) error {
	var errs []error
	if out.dir != "" {
		if err := writableDir(out.dir, made); err != nil {
			errs = append(errs, out.dirName.problem(fmt.Sprintf("%s %v; want a directory nowait can create or write into", out.dir, err)))
		}
	}
	if g.junit != "" {
		errs = append(errs, junitPathProblem(g, made))
	}
	return errors.Join(errs...)
}

// junitPathProblem says what would stop the JUnit report from being
// written to g.junit, creating its directory as the write would.
func junitPathProblem(g gates, made *newDirs) error {
	fi, err := os.Stat(g.junit)
	if err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil // a device or a pipe (/dev/stdout): written in place
	}
	if (err == nil && fi.IsDir()) || strings.HasSuffix(g.junit, "/") {
		return g.junitName.problem(fmt.Sprintf("%s is a directory; want a file name such as %s", g.junit, filepath.Join(g.junit, "junit.xml")))
	}
	if err := writableDir(filepath.Dir(g.junit), made); err != nil {
		return g.junitName.problem(fmt.Sprintf("%s: its directory %s %v; want a file in a directory nowait can create or write into", g.junit, filepath.Dir(g.junit), err))
	}
	return nil
}

// writableDir creates dir if it is missing, noting in made the
// directories it created, and checks that a file can be created in it.
func writableDir(dir string, made *newDirs) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return errors.New("is a file, not a directory")
	}
	if err := made.mkdirAll(dir); err != nil {
		if file := fileAbove(dir); file != "" {
			return fmt.Errorf("cannot be created: %s is a file, not a directory", file)
		}
		return fmt.Errorf("cannot be created: %s", stats.PathAndCause(err)) // the part of the path that failed
	}
	probe, err := os.CreateTemp(dir, ".nowait-probe-*")
	if err != nil {
		return fmt.Errorf("cannot be written into: %w", stats.PathErrCause(err)) // not the probe's name
	}
	name := probe.Name()
	if err := probe.Close(); err != nil {
		return fmt.Errorf("cannot be written into: %w", err)
	}
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("cannot have files removed: %w", err)
	}
	return nil
}

// fileAbove returns the nearest part of dir's path that exists, when it
// is a file rather than a directory (so dir cannot be made under it), or "".
func fileAbove(dir string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil {
			if fi.IsDir() {
				return ""
			}
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// newDirs are the directories a command created for its outputs, made
// before anything is measured so that a path that cannot take files is
// found first. A command that fails removes those still empty as it
// exits (see run): an error found before anything was written leaves no
// new empty directory behind, and a directory that was there before is
// never touched.
type newDirs struct{ made []string }

// mkdirAll is os.MkdirAll(dir), noting the directories it created.
func (n *newDirs) mkdirAll(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			break // there, or not ours to make: MkdirAll says why below
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n.made = append(n.made, missing...)
	return nil
}

// removeEmpty removes the directories n created that are empty, the
// deepest first, so that a parent emptied by removing its child goes too.
func (n *newDirs) removeEmpty() {
	dirs := slices.Clone(n.made)
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, d := range dirs {
		// Why the error is dropped: it is the answer for a directory that
		// holds files (results written), which stays, as it should.
		_ = os.Remove(d)
	}
}

// writeChecks rewrites the summary.json that writeResults wrote with the
// checks (and the percentiles they named) added, when there are some.
func writeChecks(dir string, sum stats.Summary) error {
	if len(sum.Checks) == 0 {
		return nil
	}
	err := stats.WriteFileAtomic(filepath.Join(dir, stats.SummaryFile), func(w io.Writer) error {
		return stats.WriteSummary(w, sum)
	})
	if err != nil {
		return runErr(fmt.Errorf("writing the checks into %s: %w", stats.SummaryFile, err))
	}
	return nil
}
