package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// What a run asked for is drawn as a dashed black line under what it
// measured: the open model's target rate, flat or following its stages,
// and the connections a hold run or a closed-model ramp asked for.

// targetRateLine returns an open-model run's target rate from 0 to end
// seconds and its legend name: the corners of its ramp when it had
// stages, else its constant rate. It returns nil for another model, and
// for a ramp saved without its rates (by a nowait that did not keep them).
func targetRateLine(res *stats.Result, end float64) (plotter.XYs, string) {
	switch {
	case res.Model != "open":
		return nil, ""
	case len(res.Ramp) > 0:
		return rampLine(res.Ramp, end), "target rate (stages)"
	case res.RatePerSec > 0:
		return plotter.XYs{{X: 0, Y: res.RatePerSec}, {X: end, Y: res.RatePerSec}},
			"target " + stats.GroupDigits(int64(math.Round(res.RatePerSec))) + " req/s"
	}
	return nil, ""
}

// askedConnectionsLine returns the connections a run asked for from 0 to
// end seconds and its legend name: a hold run's count, or a closed-model
// run's ramp; nil otherwise.
func askedConnectionsLine(res *stats.Result, end float64) (plotter.XYs, string) {
	switch {
	case res.Model == "hold" && res.Connections > 0:
		c := float64(res.Connections)
		return plotter.XYs{{X: 0, Y: c}, {X: end, Y: c}}, "asked for " + stats.GroupDigits(int64(res.Connections))
	case res.Model == "closed" && len(res.Ramp) > 0:
		return rampLine(res.Ramp, end), "asked for (stages)"
	}
	return nil, ""
}

// rampLine returns a ramp's corners as points, cut at end seconds where
// the ramp runs past the chart (an interrupted run).
func rampLine(ramp []stats.RampPoint, end float64) plotter.XYs {
	var pts plotter.XYs
	for i, c := range ramp {
		if c.AtSec > end {
			if i > 0 { // where the ramp crosses end
				prev := ramp[i-1]
				y := prev.Target + (c.Target-prev.Target)*(end-prev.AtSec)/(c.AtSec-prev.AtSec)
				pts = append(pts, plotter.XY{X: end, Y: y})
			}
			break
		}
		pts = append(pts, plotter.XY{X: c.AtSec, Y: c.Target})
	}
	return pts
}

// addPlanned draws pts, something asked for, as a dashed black line with
// a legend entry named name, and returns its largest y (0 for no line).
func addPlanned(p *plot.Plot, lk look, pts plotter.XYs, name string) (float64, error) {
	if len(pts) < 2 {
		return 0, nil
	}
	sty := draw.LineStyle{Color: color.Black, Width: lk.pt(1.25), Dashes: []vg.Length{lk.pt(5), lk.pt(3)}}
	return addLines(p, []plotter.XYs{pts}, sty, name)
}
