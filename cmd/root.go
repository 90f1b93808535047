// Package cmd is nowait's command line: flag parsing, wiring and printing.
// It holds no engine logic.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README and in `nowait --help`.
const (
	ExitOK         = 0 // the run passed
	ExitRunFailed  = 1 // the run could not be carried out (cannot connect, runtime error)
	ExitUsage      = 2 // bad flags, arguments or scenario file
	ExitThresholds = 3 // one or more thresholds were breached
	ExitRegression = 4 // the run regressed against the baseline
)

const exitCodeHelp = `Exit codes:
  0  the run completed and every threshold passed
  1  the run failed: no connection could be made, requests were sent and
     no response arrived, or a runtime error
  2  usage error: bad flags, arguments (such as a damaged result directory)
     or scenario file
  3  one or more thresholds were breached
  4  the run regressed against --baseline by more than --max-regression`

// holdExitCodeHelp is exitCodeHelp for hold, which has no thresholds and
// no baseline.
const holdExitCodeHelp = `Exit codes:
  0  the run completed
  1  the run failed: no connection could be made, requests were sent and
     no response arrived, or a runtime error
  2  usage error: bad flags or arguments`

// app is what every command shares: its I/O and the signal context.
type app struct {
	stdout io.Writer
	stderr io.Writer
	// selfExe returns the path of the running nowait binary (demo starts
	// the target as a child process with it).
	selfExe func() (string, error)
	// dirs are the output directories the command created; run removes
	// those left empty when the command fails.
	dirs newDirs
}

// exitError carries an exit code up to Execute.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as a usage error (exit code 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// runErr marks err as a failed run (exit code 1).
func runErr(err error) error { return &exitError{code: ExitRunFailed, err: err} }

// exitCode maps an error to the process exit code, in this one place.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitRunFailed
}

// newRootCmd builds the command tree over the given app.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "nowait",
		Short: "nowait is an HTTP load generator with honest latency numbers",
		Long: `nowait drives HTTP/1.1 load from epoll event loops (or from one thread or
goroutine per connection, to compare), records HdrHistogram latency corrected
for coordinated omission, and reports, plots and gates on the results.

` + exitCodeHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every command refuses a flag given empty (-o "").
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return emptyValues(c) },
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(
		newRunCmd(a),
		newHoldCmd(a),
		newTargetCmd(a),
		newDemoCmd(a),
		newCompareCmd(a),
		newValidateCmd(a),
		newPlotCmd(a),
		newReportCmd(a),
		newMergeCmd(a),
	)
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(root.FlagErrorFunc())
	}
	return root
}

// Execute runs the command line and returns the process exit code.
func Execute() int {
	a := &app{stdout: os.Stdout, stderr: os.Stderr, selfExe: os.Executable}
	return run(a, os.Args[1:])
}

// run executes args against a and returns the exit code; tests call it.
func run(a *app, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Why: without a Notify for SIGPIPE, Go kills the process at its first
	// write to a closed pipe on stdout (nowait demo --tls | head -1), so
	// nothing deferred runs: the built-in target's temporary certificate
	// stays behind. With one, the write fails with EPIPE; the channel is
	// never read (SIGPIPEs of sockets are dropped with it, and their
	// writes fail with EPIPE as they do anyway), and stopOnEPIPE stops
	// the run as a Ctrl-C would, through the exit path that cleans up.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	a.stdout = &stopOnEPIPE{w: a.stdout, stop: cancel}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		a.dirs.removeEmpty() // a failed command leaves no new empty directory
	}
	if errors.Is(context.Cause(ctx), errStdoutClosed) {
		// Nobody reads stdout any more: say why nowait stopped (not "the
		// results above", which nobody saw) and fail, as a program whose
		// output was lost does; a verdict of the checks keeps its code.
		fmt.Fprintf(a.stderr, "nowait: %v; stopped\n", errStdoutClosed)
		if code := exitCode(err); code > ExitRunFailed {
			fmt.Fprintf(a.stderr, "nowait: %v\n", err)
			return code
		}
		return ExitRunFailed
	}
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) && isCobraUsageError(err) {
			err = &exitError{code: ExitUsage, err: err}
		}
		fmt.Fprintf(a.stderr, "nowait: %v\n", err)
	}
	return exitCode(err)
}

// isCobraUsageError recognises cobra's own argument errors (unknown
// command, wrong number of arguments), which it returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "unknown flag", "unknown shorthand"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// errStdoutClosed is the cause of a run stopped because its standard
// output was a pipe whose reader went away.
var errStdoutClosed = errors.New("standard output closed (broken pipe)")

// stopOnEPIPE is standard output that stops the run when a write fails
// with EPIPE: the reader of the pipe has gone (head -1), and nothing
// printed from then on can be read.
type stopOnEPIPE struct {
	w    io.Writer
	stop context.CancelCauseFunc
}

func (s *stopOnEPIPE) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if errors.Is(err, syscall.EPIPE) {
		s.stop(errStdoutClosed)
	}
	return n, err
}
