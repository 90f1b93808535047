package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// gates are the pass/fail checks of a run: thresholds and a baseline.
type gates struct {
	suite         string              // the JUnit suite name
	scenario      *scenarios.Scenario // evaluates the thresholds, when one was loaded
	baseline      *stats.Summary      // a saved run to compare with
	maxRegression float64             // fraction: 0.10 is 10%
	junit         string              // write the checks here as JUnit XML
	junitName     valueName           // how the user named junit: --junit or outputs.junit
}

// gatesFromFlags reads --baseline and --max-regression of a URL run.
func gatesFromFlags(f *runFlags) (gates, error) {
	g := gates{suite: "nowait", junit: f.junit, junitName: valueName{flag: "--junit"}, maxRegression: scenarios.DefaultMaxRegression}
	if f.maxRegression != "" {
		if f.baseline == "" {
			return g, usageErr("--max-regression %s: there is no baseline to compare with; give --baseline summary.json too, or drop it", f.maxRegression)
		}
		mr, err := scenarios.ParsePercent(f.maxRegression)
		if err != nil {
			return g, usageErr("--max-regression: %w", err)
		}
		g.maxRegression = mr
	}
	if f.baseline != "" {
		b, err := scenarios.ReadSummary(f.baseline)
		if err != nil {
			return g, usageErr("--baseline: %v", err)
		}
		g.baseline = &b
	}
	return g, nil
}

// evaluate checks the summary and returns the checks and the error that
// sets the exit code: thresholds breached (3) before a regression (4).
func (g gates) evaluate(sum stats.Summary) ([]scenarios.Check, error) {
	var checks []scenarios.Check
	if g.scenario != nil {
		checks = append(checks, g.scenario.Evaluate(sum)...)
	}
	thresholdsFailed := scenarios.Failed(checks)
	var regressed bool
	if g.baseline != nil {
		bc := scenarios.CompareBaseline(sum, *g.baseline, g.maxRegression)
		regressed = scenarios.Failed(bc)
		checks = append(checks, bc...)
	}
	switch {
	case thresholdsFailed:
		return checks, &exitError{code: ExitThresholds, err: fmt.Errorf("%d of %d checks failed: %s", countFailed(checks), len(checks), scenarios.FailedList(checks, maxListed))}
	case regressed:
		return checks, &exitError{code: ExitRegression, err: fmt.Errorf("regression against the baseline: %s", scenarios.FailedList(checks, maxListed))}
	}
	return checks, nil
}

// maxListed is how many failed checks the last line of a run names; past
// it, the line names the first ones and says how many more.
const maxListed = 5

// setupNote is one line naming what differs between the run's setup and
// the baseline's, or "" when nothing does or there is no baseline.
func (g gates) setupNote(sum stats.Summary) string {
	if g.baseline == nil {
		return ""
	}
	diffs := scenarios.SetupDifferences(sum, *g.baseline)
	if len(diffs) == 0 {
		return ""
	}
	return "Note: the baseline ran another setup (" + strings.Join(diffs, ", ") + "); the comparison measures that change too"
}

// writeJUnit writes the checks of the run sum summarises as JUnit XML
// when asked to, atomically, with failure, when not nil, as an error case:
// why the run measured nothing or was cut short.
func (g gates) writeJUnit(sum stats.Summary, checks []scenarios.Check, failure *scenarios.RunError) error {
	if g.junit == "" {
		return nil
	}
	// The directory was checked (and made) before the run; make it again
	// in case it went away meanwhile.
	if err := os.MkdirAll(filepath.Dir(g.junit), 0o755); err != nil {
		return runErr(fmt.Errorf("%s: %w", g.junitName, err))
	}
	err := stats.WriteFileAtomic(g.junit, func(w io.Writer) error {
		return scenarios.WriteJUnit(w, g.suite, sum.WarmupSec+sum.DurationSec, sum.DurationSec, checks, failure)
	})
	if err != nil {
		return runErr(fmt.Errorf("%s: %w", g.junitName, err))
	}
	return nil
}

// printChecks prints one line per check.
func printChecks(w io.Writer, checks []scenarios.Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  Checks")
	for _, c := range checks {
		fmt.Fprintf(w, "    %s\n", c.String())
	}
}

func countFailed(checks []scenarios.Check) int {
	n := 0
	for _, c := range checks {
		if !c.Passed {
			n++
		}
	}
	return n
}
