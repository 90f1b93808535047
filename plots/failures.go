package plots

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// A timeline draws what failed in a panel of its own, on its own scale,
// under the responses: the responses per second whose status is outside
// 200-399 and the errors per second. Why not on the responses' panel: a
// run whose every response failed drew the failed line over the
// responses line, which vanished, and a few errors a second sat on the
// zero line of an axis to thousands.

// hasFailures reports whether ivs saved any failure per second: an error,
// or a response with a status outside 200-399.
func hasFailures(ivs []*stats.Interval) bool {
	for _, iv := range ivs {
		if iv.ErrorTotal() > 0 || iv.FailedResponses() > 0 {
			return true
		}
	}
	return false
}

// failuresPlot draws the failed statuses per second (when there are any)
// and marks the errors per second, their kinds in the legend. Its y label
// says "Errors/s" when errors are all it shows.
func failuresPlot(lk look, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Failed/s")
	p.Y.Tick.Marker = newLinearTicker(p.Y.Tick.Label.Font.Size)
	p.Legend.Top = true
	p.Legend.XOffs = -lk.pt(8)
	yMax, err := addFailedStatuses(p, lk, spans, ivs)
	if err != nil {
		return nil, err
	}
	if yMax == 0 {
		p.Y.Label.Text = "Errors/s"
	}
	y, err := addErrorMarkers(p, lk, spans, ivs)
	// Why at least 4: errors are counted whole, and a few of them on an
	// axis to 1 would get ticks at 0.25.
	p.Y.Min, p.Y.Max = 0, math.Max(max(yMax, y), 4)*1.08 // fitPanel adds the legend's room
	return p, err
}

// addFailedStatuses draws the responses per second whose status is
// outside 200-399, which the report counts as failed (a 500 is an answer,
// not an error), as a step line with their total in the legend, and
// returns its largest value; nothing, and 0, when there are none.
func addFailedStatuses(p *plot.Plot, lk look, spans []span, ivs []*stats.Interval) (float64, error) {
	var total uint64
	for _, iv := range ivs {
		total += iv.FailedResponses()
	}
	if total == 0 {
		return 0, nil
	}
	rate := func(i int) (float64, bool) {
		return float64(ivs[i].FailedResponses()) / (spans[i].hi - spans[i].lo), true
	}
	sty := draw.LineStyle{Color: failedColor(), Width: lk.pt(1.75)}
	return addLines(p, steps(spans, rate), sty, fmt.Sprintf("non-2xx/3xx/s (%s in all)", stats.GroupDigits(int64(total))))
}

// addErrorMarkers marks the errors per second at the middle of every
// interval that had any, with a legend entry that gives their total and
// kinds ("errors/s (416 in all: connect refused 393, reset 23)"), or says
// there were none; it returns the largest rate marked.
func addErrorMarkers(p *plot.Plot, lk look, spans []span, ivs []*stats.Interval) (float64, error) {
	var pts plotter.XYs
	var byKind [stats.NumErrorKinds]uint64
	var total uint64
	for i, s := range spans {
		n := ivs[i].ErrorTotal()
		if n == 0 {
			continue
		}
		pts = append(pts, plotter.XY{X: s.mid(), Y: float64(n) / (s.hi - s.lo)})
		total += n
		for k, e := range ivs[i].Errors {
			byKind[k] += e
		}
	}
	if total == 0 {
		p.Legend.Add("errors: none")
		return 0, nil
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return 0, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: errorColor(), Shape: draw.PyramidGlyph{}, Radius: lk.pt(4)}
	p.Add(sc)
	p.Legend.Add(fmt.Sprintf("errors/s (%s in all: %s)", stats.GroupDigits(int64(total)), errorKinds(byKind)), sc)
	yMax := 0.0
	for _, pt := range pts {
		yMax = max(yMax, pt.Y)
	}
	return yMax, nil
}

// errorKinds lists the kinds that counted errors, as the report's Errors
// line does: by name, "connect refused 393, reset 23".
func errorKinds(byKind [stats.NumErrorKinds]uint64) string {
	names := make([]string, 0, len(byKind))
	counts := map[string]uint64{}
	for k, n := range byKind {
		if n > 0 {
			name := strings.ReplaceAll(stats.ErrorKind(k).String(), "_", " ")
			names = append(names, name)
			counts[name] = n
		}
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + " " + stats.GroupDigits(int64(counts[name]))
	}
	return strings.Join(parts, ", ")
}
