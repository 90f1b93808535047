package cmd

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/nowait/nowait/plots"
)

// drawCompareChart draws the comparison chart of r into dir as
// compare.png and compare.svg: throughput, p99, CPU per request and RSS
// per connection against the connection count, one line per mode. Cells
// that failed or were cut short are left out; with none left there is no
// chart, and an old one in dir is removed (said on notes), so it cannot
// contradict compare.json.
func drawCompareChart(dir string, r CompareReport, notes io.Writer) error {
	var cells []plots.CompareCell
	for _, c := range r.Cells {
		if c.Summary != nil && c.Error == "" && !c.Interrupted {
			cells = append(cells, plots.CompareCell{Mode: c.Mode, Connections: c.Connections, Summary: *c.Summary})
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		err := plots.Compare(cells, filepath.Join(dir, "compare"+ext), plots.Size{})
		if errors.Is(err, plots.ErrNoData) {
			return removeUndrawnChart(dir, "compare", "no cell completed", notes)
		}
		if err != nil {
			return fmt.Errorf("drawing the comparison chart: %w", err)
		}
	}
	return nil
}
