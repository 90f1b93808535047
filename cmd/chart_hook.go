package cmd

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/nowait/nowait/plots"
)

// drawCompareChart draws the comparison chart of r into dir as
// compare.png and compare.svg, size (zero: the chart's default): the
// panels against the connection count, one line per mode. Cells that
// failed or were cut short are not drawn, and the chart names them; with
// none left there is no chart, and an old one in dir is removed (said on
// notes), so it cannot contradict compare.json. It returns the paths of
// the files it drew.
func drawCompareChart(dir string, r CompareReport, size plots.Size, notes io.Writer) ([]string, error) {
	var drawn []string
	for _, ext := range []string{".png", ".svg"} {
		path := filepath.Join(dir, "compare"+ext)
		err := plots.Compare(compareSetup(r), compareCells(r), path, size)
		if errors.Is(err, plots.ErrNoData) {
			return nil, removeUndrawnChart(dir, "compare", "no cell completed", notes)
		}
		if err != nil {
			return drawn, fmt.Errorf("drawing the comparison chart: %w", err)
		}
		drawn = append(drawn, path)
	}
	return drawn, nil
}

// compareCells are the cells of r as the chart takes them: one that
// failed or was cut short is named, not drawn.
func compareCells(r CompareReport) []plots.CompareCell {
	var cells []plots.CompareCell
	for _, c := range r.Cells {
		pc := plots.CompareCell{Mode: c.Mode, Connections: c.Connections}
		switch {
		case c.Summary == nil || c.Error != "":
			pc.LeftOut = "failed"
		case c.Interrupted:
			pc.LeftOut = "cut short"
		default:
			pc.Summary = *c.Summary
		}
		cells = append(cells, pc)
	}
	return cells
}

// compareSetup is what every cell of r ran with, for the chart's subtitle.
func compareSetup(r CompareReport) plots.CompareSetup {
	return plots.CompareSetup{Target: r.Target, DurationSec: r.Duration, Model: r.Model, Pipeline: r.Pipeline,
		EverySec: r.EverySec, ConnectRate: r.ConnectRate, NoTLSResume: r.NoTLSResume}
}
