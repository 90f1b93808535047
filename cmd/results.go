package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nowait/nowait/plots"
	"github.com/nowait/nowait/stats"
)

// Chart files written into a result directory beside the data files.
const (
	spectrumChart = "spectrum"
	timelineChart = "timeline"
)

// writeResults writes the result directory of res: the data files of
// stats.WriteDir, then the spectrum and timeline charts as PNG and SVG.
// A chart with nothing to draw (no responses, no intervals) is not drawn,
// and one left in dir by an earlier run is removed, so it cannot
// contradict the new data; notes says so. The data files are written
// whatever happens to the charts.
func writeResults(dir string, res *stats.Result, notes io.Writer) error {
	if err := stats.WriteDir(dir, res); err != nil {
		return resultsErr(err)
	}
	name := res.Mode
	if name == "" {
		name = filepath.Base(dir)
	}
	charts := []struct {
		name, why string
		draw      func(path string) error
	}{
		{spectrumChart, "no latency was recorded", func(path string) error {
			return plots.Spectrum([]plots.Series{plots.SeriesOf(name, res)}, path, plots.Size{})
		}},
		{timelineChart, "no interval was recorded", func(path string) error {
			return plots.Timeline(res, path, plots.Size{})
		}},
	}
	for _, c := range charts {
		for _, ext := range []string{".png", ".svg"} {
			err := c.draw(filepath.Join(dir, c.name+ext))
			if errors.Is(err, plots.ErrNoData) {
				if err := removeUndrawnChart(dir, c.name, c.why, notes); err != nil {
					return err
				}
				break
			}
			if err != nil {
				return runErr(fmt.Errorf("drawing the %s: %w", c.name, err))
			}
		}
	}
	return nil
}

// removeUndrawnChart removes the PNG and SVG of a chart that had nothing
// to draw, left in dir by an earlier run, and says so on notes (when
// there was none, there is nothing to say).
func removeUndrawnChart(dir, chart, why string, notes io.Writer) error {
	removed := false
	for _, ext := range []string{".png", ".svg"} {
		err := os.Remove(filepath.Join(dir, chart+ext))
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, fs.ErrNotExist):
			return runErr(fmt.Errorf("removing the old %s chart: %w", chart, err))
		}
	}
	if removed {
		fmt.Fprintf(notes, "note: no %s chart (%s); removed the old %s.png/.svg from %s\n", chart, why, chart, dir)
	}
	return nil
}

// readResults reads a saved result directory.
func readResults(dir string) (*stats.Result, error) {
	res, err := stats.ReadDir(dir)
	if err != nil {
		return nil, resultsErr(err)
	}
	return res, nil
}

// resultsErr maps the errors of result files to exit codes: a path that
// holds no results, results that are damaged (truncated, edited) or of
// another schema, and an output path that is a file are bad arguments, the
// user's to fix (usage, 2); anything else failed (run, 1).
func resultsErr(err error) error {
	for _, u := range []error{stats.ErrNoResults, stats.ErrCorrupt, stats.ErrSchema, stats.ErrOutNotDir, plots.ErrFormat} {
		if errors.Is(err, u) {
			return usageErr("%w", err)
		}
	}
	return runErr(err)
}
