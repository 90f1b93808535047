package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nowait/nowait/plots"
	"github.com/nowait/nowait/stats"
)

// compareFile is the file `nowait compare --out DIR` writes, which
// `nowait plot DIR` draws again.
const compareFile = "compare.json"

// isCompareDir reports whether dir holds a comparison written by
// `nowait compare --out` (compare.json) and not a run (summary.json).
func isCompareDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, stats.SummaryFile)); err == nil {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, compareFile))
	return err == nil && !fi.IsDir()
}

// checkPlotKind settles the chart kind f asks for of dirs: a directory of
// `nowait compare --out` is drawn as a comparison, alone, and is the
// kind left unset (kindSet false) for one; a comparison is drawn from
// such a directory only.
func checkPlotKind(dirs []string, f *plotFlags) error {
	for _, d := range dirs {
		switch {
		case !isCompareDir(d):
		case len(dirs) > 1:
			return usageErr("%s holds a comparison (%s), not a run: draw it alone, as 'nowait plot %s'", d, compareFile, d)
		case f.kindSet && f.kind != "compare":
			return usageErr("%s holds a comparison (%s), which has no %s; drop --kind, or give --kind compare", d, compareFile, f.kind)
		default:
			f.kind = "compare"
		}
	}
	if f.kind == "compare" && (len(dirs) != 1 || !isCompareDir(dirs[0])) {
		return usageErr("--kind compare draws one directory written by 'nowait compare --out DIR'; %s has no %s",
			dirs[0], compareFile)
	}
	return nil
}

// plotCompare draws the comparison of dir, as compare --out drew it, to
// out at size.
func plotCompare(dir, out string, size plots.Size) error {
	path := filepath.Join(dir, compareFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return runErr(err)
	}
	var r CompareReport
	if err := json.Unmarshal(b, &r); err != nil {
		return usageErr("%s: %v; want the file 'nowait compare --out' wrote", path, err)
	}
	if r.Schema != stats.SchemaVersion {
		return usageErr("%s has schema %d, this nowait reads %d", path, r.Schema, stats.SchemaVersion)
	}
	err = plots.Compare(compareSetup(r), compareCells(r), out, size)
	if errors.Is(err, plots.ErrNoData) {
		return runErr(fmt.Errorf("%s: no cell of the comparison completed, so there is nothing to draw", path))
	}
	return err
}
