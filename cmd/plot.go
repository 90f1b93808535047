package cmd

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/nowait/nowait/plots"
)

// plotFlags are the flags of `nowait plot`.
type plotFlags struct {
	kind   string
	output string
	size   string
}

// newPlotCmd builds `nowait plot DIR...`.
func newPlotCmd(a *app) *cobra.Command {
	f := &plotFlags{}
	c := &cobra.Command{
		Use:   "plot DIR...",
		Short: "Draw charts from saved result directories (PNG or SVG)",
		Long: `Draw a chart from result directories saved with --out. The format follows
the output file's extension: .png or .svg.

Kinds:
  spectrum  latency by percentile, x axis in nines (90%, 99%, 99.9%, ...),
            one line per directory: compare runs, modes or machines
  timeline  throughput and p50/p99/max latency over time, errors marked;
            one directory

Without -o the chart is written as KIND.png into the directory when there
is one, else into the current directory.`,
		Example: `  nowait plot results/today results/yesterday -o spectrum.png
  nowait plot results/today --kind timeline -o timeline.svg
  nowait plot results/async results/sync results/goroutine --size 10x6 -o modes.png`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("plot takes one or more result directories (see '%s --help')", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return a.plotDirs(args, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.kind, "kind", "spectrum", "chart kind: spectrum or timeline")
	fl.StringVarP(&f.output, "output", "o", "", "chart file, .png or .svg (default KIND.png)")
	fl.StringVar(&f.size, "size", "8x5", "chart size in inches, WIDTHxHEIGHT")
	return c
}

// plotDirs draws the chart f asks for from dirs.
func (a *app) plotDirs(dirs []string, f *plotFlags) error {
	size, err := parseSize(f.size)
	if err != nil {
		return err
	}
	out := f.output
	if out == "" {
		out = f.kind + ".png"
		if len(dirs) == 1 {
			out = filepath.Join(dirs[0], out)
		}
	}
	switch f.kind {
	case "spectrum":
		names := seriesNames(dirs)
		series := make([]plots.Series, len(dirs))
		for i, d := range dirs {
			res, err := readResults(d)
			if err != nil {
				return err
			}
			series[i] = plots.SeriesOf(names[i], res)
		}
		err = plots.Spectrum(series, out, size)
	case "timeline":
		if len(dirs) != 1 {
			return usageErr("a timeline shows one run; got %d directories", len(dirs))
		}
		res, rerr := readResults(dirs[0])
		if rerr != nil {
			return rerr
		}
		err = plots.Timeline(res, out, size)
	default:
		return usageErr("unknown --kind %q: use spectrum or timeline", f.kind)
	}
	if err != nil {
		return resultsErr(err)
	}
	fmt.Fprintf(a.stdout, "Wrote %s\n", out)
	return nil
}

// seriesNames names each directory's line by its base name, or by the
// path as given when two base names are the same.
func seriesNames(dirs []string) []string {
	names := make([]string, len(dirs))
	seen := map[string]int{}
	for i, d := range dirs {
		names[i] = filepath.Base(filepath.Clean(d))
		seen[names[i]]++
	}
	for i, d := range dirs {
		if seen[names[i]] > 1 {
			names[i] = filepath.Clean(d)
		}
	}
	return names
}

// parseSize parses --size WIDTHxHEIGHT in inches.
func parseSize(s string) (plots.Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	wi, werr := strconv.ParseFloat(w, 64)
	hi, herr := strconv.ParseFloat(h, 64)
	if !ok || werr != nil || herr != nil || wi < 2 || hi < 2 || wi > 40 || hi > 40 {
		return plots.Size{}, usageErr("--size %q: want WIDTHxHEIGHT in inches, each 2 to 40, such as 8x5", s)
	}
	return plots.Size{W: vg.Length(wi) * vg.Inch, H: vg.Length(hi) * vg.Inch}, nil
}
