package cmd

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/stats"
)

// reportFlags are the flags of `nowait report`.
type reportFlags struct {
	latency bool
	jsonOut bool
}

// newReportCmd builds `nowait report DIR`.
func newReportCmd(a *app) *cobra.Command {
	f := &reportFlags{}
	c := &cobra.Command{
		Use:   "report DIR",
		Short: "Print the summary of a saved run again, from its result directory",
		Long: `Print the summary of a run saved with --out, read back from its files:
counters from summary.json, histograms from histograms.hlog, intervals from
latency.hlog and timeseries.csv.`,
		Example: `  nowait report results/today
  nowait report results/today --latency
  nowait report results/today --json | jq .latency.percentiles_ms`,
		Args: exactArgs(1, "one result directory"),
		RunE: func(c *cobra.Command, args []string) error {
			return a.reportDir(args[0], f)
		},
	}
	c.Flags().BoolVar(&f.latency, "latency", false, "print the full latency percentile distribution")
	c.Flags().BoolVar(&f.jsonOut, "json", false, "print the summary as JSON on stdout instead of text")
	return c
}

// reportDir prints the saved run in dir.
func (a *app) reportDir(dir string, f *reportFlags) error {
	res, err := readResults(dir)
	if err != nil {
		return err
	}
	return a.printResult(res, stats.Summarize(res), f.jsonOut, f.latency)
}

// printResult prints a result and its summary as text or JSON.
func (a *app) printResult(res *stats.Result, sum stats.Summary, jsonOut, latency bool) error {
	if jsonOut {
		var v any = sum
		if latency {
			// --latency adds the distribution to the JSON, as the text
			// prints it; summary.json never has it (latency.hgrm does).
			rows := latencyDistribution(res)
			if rows == nil {
				rows = []distributionRow{}
			}
			v = struct {
				stats.Summary
				LatencyDistribution []distributionRow `json:"latency_distribution"`
			}{sum, rows}
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return runErr(err)
		}
		return nil
	}
	printSummary(a.stdout, sum)
	if latency {
		printDistribution(a.stdout, res)
	}
	return nil
}
