package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/stats"
)

// mergeFlags are the flags of `nowait merge`.
type mergeFlags struct {
	out     string
	jsonOut bool
}

// newMergeCmd builds `nowait merge DIR DIR... --out DIR`.
func newMergeCmd(a *app) *cobra.Command {
	f := &mergeFlags{}
	c := &cobra.Command{
		Use:   "merge DIR DIR... --out DIR",
		Short: "Merge runs made on several machines at the same time into one result",
		Long: `Merge result directories saved with --out into one, exactly: histograms
merge bucket by bucket (so percentiles are those of all the requests
together, not averages of percentiles), counters add, and the per-second
intervals are merged second by second. Use it for one load spread over
several machines at the same time. Runs must share nowait's result schema.`,
		Example: `  nowait merge results/host-a results/host-b --out results/all
  nowait merge results/host-* --out results/all --json`,
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
	return c
}

// mergeDirs merges the runs saved in dirs into f.out.
func (a *app) mergeDirs(dirs []string, f *mergeFlags) error {
	if f.out == "" {
		return usageErr("merge needs --out DIR for the merged result")
	}
	for _, d := range dirs {
		if filepath.Clean(d) == filepath.Clean(f.out) {
			return usageErr("--out %s is one of the runs to merge; choose a new directory", f.out)
		}
	}
	merged, err := readResults(dirs[0])
	if err != nil {
		return err
	}
	for _, d := range dirs[1:] {
		res, err := readResults(d)
		if err != nil {
			return err
		}
		if res.Mode != merged.Mode || res.Model != merged.Model {
			fmt.Fprintf(a.stderr, "nowait: note: %s ran %s/%s, %s ran %s/%s; merging anyway\n",
				dirs[0], merged.Mode, merged.Model, d, res.Mode, res.Model)
		}
		merged.Merge(res)
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
