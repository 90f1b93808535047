package cmd

import (
	"errors"
	"fmt"
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
// A chart with nothing to draw (no responses, no intervals) is skipped;
// the data files are written whatever happens to the charts.
func writeResults(dir string, res *stats.Result) error {
	if err := stats.WriteDir(dir, res); err != nil {
		return resultsErr(err)
	}
	name := res.Mode
	if name == "" {
		name = filepath.Base(dir)
	}
	for _, ext := range []string{".png", ".svg"} {
		err := plots.Spectrum([]plots.Series{plots.SeriesOf(name, res)}, filepath.Join(dir, spectrumChart+ext), plots.Size{})
		if err != nil && !errors.Is(err, plots.ErrNoData) {
			return runErr(fmt.Errorf("drawing the spectrum: %w", err))
		}
		err = plots.Timeline(res, filepath.Join(dir, timelineChart+ext), plots.Size{})
		if err != nil && !errors.Is(err, plots.ErrNoData) {
			return runErr(fmt.Errorf("drawing the timeline: %w", err))
		}
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
// holds no results, results of another schema and an output path that is
// a file are the user's to fix (usage); anything else failed (run).
func resultsErr(err error) error {
	for _, u := range []error{stats.ErrNoResults, stats.ErrSchema, stats.ErrOutNotDir, plots.ErrFormat} {
		if errors.Is(err, u) {
			return usageErr("%w", err)
		}
	}
	return runErr(err)
}
