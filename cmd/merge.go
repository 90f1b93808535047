package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/stats"
)

// mergeFlags are the flags of `nowait merge`.
type mergeFlags struct {
	out          string
	jsonOut      bool
	mixedTargets bool
}

// newMergeCmd builds `nowait merge DIR DIR... --out DIR`.
func newMergeCmd(a *app) *cobra.Command {
	f := &mergeFlags{}
	c := &cobra.Command{
		Use:   "merge DIR DIR... --out DIR",
		Short: "Merge runs made on several machines at the same time into one result",
		Long: `Merge result directories saved with --out into one, exactly: histograms
merge bucket by bucket (so percentiles are those of all the requests
together, not averages of percentiles), counters, connections and loops
add, and the per-second intervals are merged on the wall clock: the merged
run starts at the earliest start, and a run that started k seconds later
(to the nearest second) has its first second merged into second k+1, so
the merged seconds are one second wide and add up. The merged duration is
the longest run's: the runs ran side by side, so the merged req/s is the
sum of their rates.

Use it for one load spread over several machines at the same time. The
runs must overlap in time, be of one load model and load the same target
(--mixed-targets allows different targets, such as the nodes of one
cluster); a run may be given only once (not a directory twice, nor a copy
of one). Runs must share nowait's result schema. Runs of several modes
merge into a run whose mode names them all (async+sync) and which counts
no event loops.`,
		Example: `  nowait merge results/host-a results/host-b --out results/all
  nowait merge results/host-* --out results/all --json
  nowait merge results/node-1 results/node-2 --mixed-targets --out results/cluster`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr("merge takes two or more result directories, got %d (see '%s --help')", len(args), c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return a.mergeDirs(args, f)
		},
	}
	c.Flags().StringVar(&f.out, "out", "", "write the merged result into this directory (required)")
	c.Flags().BoolVar(&f.jsonOut, "json", false, "print the merged summary as JSON on stdout instead of text")
	c.Flags().BoolVar(&f.mixedTargets, "mixed-targets", false, "merge runs against different targets (the merged target lists them all)")
	return c
}

// mergeDirs merges the runs saved in dirs into f.out.
func (a *app) mergeDirs(dirs []string, f *mergeFlags) error {
	if f.out == "" {
		return usageErr("merge needs --out DIR for the merged result")
	}
	if err := checkDistinctDirs(dirs, f.out); err != nil {
		return err
	}
	// Why first: an --out that cannot take files is said before any run is
	// read or any note printed about merging them.
	if err := prepareOutputs(outputs{dir: f.out, dirName: valueName{flag: "--out"}}, gates{}, &a.dirs); err != nil {
		return err
	}
	runs := make([]*stats.Result, len(dirs))
	for i, d := range dirs {
		res, err := readResults(d)
		if err != nil {
			return err
		}
		runs[i] = res
	}
	if err := checkSameTime(dirs, runs); err != nil {
		return err
	}
	if err := checkOneRunEach(dirs, runs); err != nil {
		return err
	}
	if err := checkSameModel(dirs, runs); err != nil {
		return err
	}
	targets, err := mergeTargets(dirs, runs, f.mixedTargets)
	if err != nil {
		return err
	}
	// Why sorted: each run is then merged into one that started no later,
	// so every run's seconds are rounded from the earliest start, and the
	// merged result does not depend on the order of the arguments.
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return runs[i].Start.Compare(runs[j].Start) })
	first := runs[order[0]].Mode
	merged := runs[order[0]]
	for _, i := range order[1:] {
		merged.Merge(runs[i])
	}
	if merged.Mode != first {
		modes := strings.Split(merged.Mode, stats.ModeSep)
		fmt.Fprintf(a.stderr, "nowait: note: the runs ran in %s and %s modes; merged as mode %s, with no count of loops\n",
			strings.Join(modes[:len(modes)-1], ", "), modes[len(modes)-1], merged.Mode)
	}
	if len(targets) > 1 {
		merged.Target = strings.Join(targets, ", ")
		fmt.Fprintf(a.stderr, "nowait: note: --mixed-targets: the runs loaded %d targets (%s); merged as one load\n", len(targets), merged.Target)
	}
	if err := writeResults(f.out, merged, a.stderr); err != nil {
		return err
	}
	if err := a.printResult(merged, stats.Summarize(merged), f.jsonOut, false); err != nil {
		return err
	}
	if !f.jsonOut {
		fmt.Fprintf(a.stdout, "\nMerged %d runs into %s\n", len(dirs), f.out)
	}
	return nil
}

// checkDistinctDirs refuses a directory given twice (by any path to it)
// and an output directory that is one of the runs.
func checkDistinctDirs(dirs []string, out string) error {
	for _, d := range dirs {
		if sameDir(d, out) {
			return usageErr("--out %s is one of the runs to merge; choose a new directory", out)
		}
	}
	return checkGivenOnce(dirs, "or its counts would be doubled")
}

// checkGivenOnce refuses a directory given twice, by any path to it,
// saying what giving it twice would do.
func checkGivenOnce(dirs []string, harm string) error {
	for i, d := range dirs {
		for _, e := range dirs[:i] {
			if sameDir(d, e) {
				return usageErr("%s is given twice (as %s and %s); give each run once, %s", d, e, d, harm)
			}
		}
	}
	return nil
}

// sameDir says a and b are one path, or name one directory. A path that
// cannot be read is not the same as another: reading the directory later
// says what is wrong with it.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ai, aerr := os.Stat(a)
	bi, berr := os.Stat(b)
	return aerr == nil && berr == nil && os.SameFile(ai, bi)
}

// checkSameTime refuses runs that did not all run at one time: the latest
// start must come before the earliest end.
func checkSameTime(dirs []string, runs []*stats.Result) error {
	first, last := 0, 0 // the run that ended first, the run that started last
	for i, r := range runs {
		if r.Start.IsZero() {
			return usageErr("%s has no start time; merge lines runs up by their start", dirs[i])
		}
		if r.Start.Add(r.Elapsed).Before(runs[first].Start.Add(runs[first].Elapsed)) {
			first = i
		}
		if r.Start.After(runs[last].Start) {
			last = i
		}
	}
	end := runs[first].Start.Add(runs[first].Elapsed)
	if runs[last].Start.Before(end) {
		return nil
	}
	clock := func(t time.Time) string { return t.Local().Format("15:04:05.000") }
	return usageErr("%s started at %s, %s after %s ended (%s to %s): merge combines runs made at the same time, and these do not overlap",
		dirs[last], clock(runs[last].Start), runs[last].Start.Sub(end).Round(time.Millisecond), dirs[first],
		clock(runs[first].Start), clock(end))
}

// checkOneRunEach refuses one run given twice under two directories (a
// copy): two runs that started at the same instant, to the nanosecond, are
// one run, and merging it with itself would double its counts.
func checkOneRunEach(dirs []string, runs []*stats.Result) error {
	for i, r := range runs {
		for j := range i {
			if r.Start.Equal(runs[j].Start) {
				return usageErr("%s and %s hold the same run (both started at %s, to the nanosecond): give each run once, or its counts would be doubled",
					dirs[j], dirs[i], r.Start.Local().Format("15:04:05.000000000"))
			}
		}
	}
	return nil
}

// checkSameModel refuses runs of different load models: a closed run's
// response times and an open run's latency from the intended send time
// measure different things and cannot make one distribution.
func checkSameModel(dirs []string, runs []*stats.Result) error {
	for i, r := range runs[1:] {
		if r.Model != runs[0].Model {
			return usageErr("%s ran the %s model but %s ran the %s model: merge combines runs of one load model, since %s and %s are not one distribution",
				dirs[0], runs[0].Model, dirs[i+1], r.Model, latencyMeaning(runs[0].Model), latencyMeaning(r.Model))
		}
	}
	return nil
}

// latencyMeaning says what a run of model measures as latency.
func latencyMeaning(model string) string {
	switch model {
	case "open":
		return "an open run's latency from the intended send time"
	case "hold":
		return "a hold run's latency of its sparse requests"
	}
	return "a " + model + " run's response times"
}

// mergeTargets returns the distinct targets of runs in order, refusing
// more than one unless mixed allows it.
func mergeTargets(dirs []string, runs []*stats.Result, mixed bool) ([]string, error) {
	var targets []string
	for i, r := range runs {
		if slices.Contains(targets, r.Target) {
			continue
		}
		targets = append(targets, r.Target)
		if len(targets) > 1 && !mixed {
			return nil, usageErr("%s loaded %s but %s loaded %s: merge combines one load of one target (add --mixed-targets to merge them anyway)",
				dirs[0], runs[0].Target, dirs[i], r.Target)
		}
	}
	return targets, nil
}
