package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nowait/nowait/stats"
)

// outputs says what a run prints and writes.
type outputs struct {
	dir     string
	dirName string // how the user named dir: "--out" or "outputs.dir"
	json    bool
	latency bool
}

// prepareOutputs makes sure, before any load is sent, that the result
// directory and the JUnit file's directory exist (creating them, as the
// writes after the run would) and take files: a run must not end with its
// verdict lost to a path that could have been checked first.
func prepareOutputs(out outputs, g gates) error {
	if out.dir != "" {
		if err := writableDir(out.dir); err != nil {
			return usageErr("%s %s %v; want a directory nowait can create or write into", out.dirName, out.dir, err)
		}
	}
	if g.junit != "" {
		fi, err := os.Stat(g.junit)
		if err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			return nil // a device or a pipe (/dev/stdout): written in place
		}
		if (err == nil && fi.IsDir()) || strings.HasSuffix(g.junit, "/") {
			return usageErr("%s %s: is a directory; want a file name such as %s", g.junitName, g.junit, filepath.Join(g.junit, "junit.xml"))
		}
		if err := writableDir(filepath.Dir(g.junit)); err != nil {
			return usageErr("%s %s: its directory %s %v; want a file in a directory nowait can create or write into", g.junitName, g.junit, filepath.Dir(g.junit), err)
		}
	}
	return nil
}

// writableDir creates dir if it is missing and checks that a file can be
// created in it.
func writableDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return errors.New("is a file, not a directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot be created: %w", err) // names the part of the path that failed
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
