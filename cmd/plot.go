package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/nowait/nowait/plots"
)

// plotFlags are the flags of `nowait plot`.
type plotFlags struct {
	kind    string
	kindSet bool // --kind was given
	output  string
	size    string
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
            one line per directory (each given once): compare runs, modes
            or machines; an open-model run, or a hold run with requests,
            adds its service time (dashed); after seven runs the colours
            repeat with markers; the legend sits above the plot, in
            columns when there are many runs, and at the default size
            the chart grows taller with it so the plot keeps its size;
            a run with failures gives their share in its legend;
            a run with no responses is left out, with a note
  timeline  throughput and p50/p99/max latency over time; failures in a
            panel of their own: responses with a status outside 200-399
            per second, and errors per second with their kinds;
            open connections for hold runs (with the moment all were
            open) and changing connection counts; for open-model runs
            the target rate (constant, or following the stages of a
            ramp) and the total of dropped requests (counted as the run
            ends); open-model and hold runs label their latency as timed
            from the intended send; a hold run without --every charts its
            connections (and errors) alone; one directory
  compare   a directory of 'nowait compare --out', drawn again (the kind
            of such a directory when --kind is left out), as compare
            drew it: at another --size, say; one directory

Without -o the chart is written as KIND.png into the directory when there
is one, else into the current directory.`,
		Example: `  nowait plot results/today results/yesterday -o spectrum.png
  nowait plot results/today --kind timeline -o timeline.svg
  nowait plot results/async results/sync results/goroutine --size 10x6 -o modes.png
  nowait plot results/compare --size 12x7              # compare.png again, larger`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("plot takes one or more result directories (see '%s --help')", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			f.kindSet = c.Flags().Changed("kind")
			return a.plotDirs(args, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.kind, "kind", "spectrum", "chart kind: spectrum, timeline or compare (the kind of a directory of 'nowait compare --out')")
	fl.StringVarP(&f.output, "output", "o", "", "chart file, .png or .svg (default KIND.png)")
	fl.StringVar(&f.size, "size", "", "chart size in inches, WIDTHxHEIGHT, at least 4x3 (fonts scale with it); default 8x5, two inches taller for each panel of a timeline beyond two (8x7, 8x9), taller for a spectrum whose legend has more than four rows")
	return c
}

// plotDirs draws the chart f asks for from dirs.
func (a *app) plotDirs(dirs []string, f *plotFlags) error {
	size, err := parseSize(f.size)
	if err != nil {
		return err
	}
	if err := checkPlotKind(dirs, f); err != nil {
		return err
	}
	out := f.output
	if out == "" {
		out = f.kind + ".png"
		if len(dirs) == 1 {
			out = filepath.Join(dirs[0], out)
		}
	}
	if fi, err := os.Stat(out); (err == nil && fi.IsDir()) || strings.HasSuffix(out, "/") {
		return usageErr("-o %s: is a directory; want a chart file name such as %s", out, filepath.Join(out, f.kind+".png"))
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".png" && ext != ".svg" {
		return usageErr("-o %s: nowait draws charts as .png or .svg; want a name such as %s", out, strings.TrimSuffix(out, filepath.Ext(out))+".png")
	}
	if err := writableDir(filepath.Dir(out), &a.dirs); err != nil {
		return usageErr("-o %s: its directory %s %v; want a file in a directory nowait can create or write into", out, filepath.Dir(out), err)
	}
	switch f.kind {
	case "spectrum":
		if err := checkGivenOnce(dirs, "or its line would be drawn twice"); err != nil {
			return err
		}
		series, perr := a.spectrumSeries(dirs)
		if perr != nil {
			return perr
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
	case "compare":
		err = plotCompare(dirs[0], out, size)
	default:
		return usageErr("unknown --kind %q: use spectrum, timeline or compare", f.kind)
	}
	if err != nil {
		return resultsErr(err)
	}
	fmt.Fprintf(a.stdout, "Wrote %s\n", out)
	return nil
}

// spectrumSeries reads dirs into the lines of a spectrum. A run with no
// responses has no latency to draw: it is left out with a note on stderr
// that says why, and when no run is left the error names them all.
func (a *app) spectrumSeries(dirs []string) ([]plots.Series, error) {
	names := seriesNames(dirs)
	var series []plots.Series
	var empty []string
	for i, d := range dirs {
		res, err := readResults(d)
		if err != nil {
			return nil, err
		}
		if res.Latency.TotalCount() == 0 {
			empty = append(empty, fmt.Sprintf("%s (%s requests, %s errors)", d, fmtCount(res.Requests), fmtCount(res.ErrorTotal())))
			continue
		}
		series = append(series, plots.SeriesOf(names[i], res))
	}
	switch {
	case len(series) == 0 && len(empty) == 1:
		return nil, runErr(fmt.Errorf("%s has no responses, so no latency to draw", empty[0]))
	case len(series) == 0:
		return nil, runErr(fmt.Errorf("none of the %d runs has responses, so no latency to draw: %s", len(empty), strings.Join(empty, ", ")))
	}
	for _, e := range empty {
		fmt.Fprintf(a.stderr, "nowait: note: %s is left out of the spectrum: it has no responses, so no latency to draw\n", e)
	}
	return series, nil
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
	if s == "" {
		return plots.Size{}, nil // each chart's own default
	}
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	wi, werr := strconv.ParseFloat(w, 64)
	hi, herr := strconv.ParseFloat(h, 64)
	if !ok || werr != nil || herr != nil || wi < plots.MinWidthInches || hi < plots.MinHeightInches || wi > 40 || hi > 40 {
		return plots.Size{}, usageErr("--size %q: want WIDTHxHEIGHT in inches, %d to 40 wide and %d to 40 high, such as 8x5",
			s, plots.MinWidthInches, plots.MinHeightInches)
	}
	return plots.Size{W: vg.Length(wi) * vg.Inch, H: vg.Length(hi) * vg.Inch}, nil
}
