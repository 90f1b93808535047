package plots

import (
	"reflect"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/nowait/nowait/stats"
)

// rampedOpenRun is -R 100 --stages 2s:500,2s:0 over four seconds.
func rampedOpenRun() *stats.Result {
	res := synthRun(21, "async", 4, 300, 800)
	res.Model, res.RatePerSec = "open", 100
	res.Ramp = []stats.RampPoint{{AtSec: 0, Target: 100}, {AtSec: 2, Target: 500}, {AtSec: 4, Target: 0}}
	return res
}

// An open run with stages gets a target line through the corners of its
// ramp, not the flat rate it started from, cut where an interrupted run
// ends; a run without stages keeps its flat target.
func TestTargetRateFollowsTheStages(t *testing.T) {
	res := rampedOpenRun()
	for _, tc := range []struct {
		end  float64
		want plotter.XYs
	}{
		{4, plotter.XYs{{X: 0, Y: 100}, {X: 2, Y: 500}, {X: 4, Y: 0}}},
		{5, plotter.XYs{{X: 0, Y: 100}, {X: 2, Y: 500}, {X: 4, Y: 0}}}, // the schedule has ended: no rate after it
		{3, plotter.XYs{{X: 0, Y: 100}, {X: 2, Y: 500}, {X: 3, Y: 250}}},
	} {
		pts, name := targetRateLine(res, tc.end)
		if !reflect.DeepEqual(pts, tc.want) || name != "target rate (stages)" {
			t.Errorf("end %v: target %v %q, want %v", tc.end, pts, name, tc.want)
		}
	}
	res.Ramp = nil
	if pts, name := targetRateLine(res, 4); !reflect.DeepEqual(pts, plotter.XYs{{X: 0, Y: 100}, {X: 4, Y: 100}}) || name != "target 100 req/s" {
		t.Errorf("without stages: target %v %q, want flat at 100", pts, name)
	}
}

// The ramp read back from a result directory draws the same target line,
// and the timeline names it in its legend and subtitle with an axis tall
// enough for its peak.
func TestRampedTimelineFromResultDir(t *testing.T) {
	dir := t.TempDir()
	if err := stats.WriteDir(dir, rampedOpenRun()); err != nil {
		t.Fatal(err)
	}
	res, err := stats.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if pts, _ := targetRateLine(res, 4); !reflect.DeepEqual(pts, plotter.XYs{{X: 0, Y: 100}, {X: 2, Y: 500}, {X: 4, Y: 0}}) {
		t.Fatalf("target from the saved result %v", pts)
	}
	texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	for _, want := range []string{"target rate (stages)", "http://127.0.0.1:8080/ — async, open model at 100 → 500 → 0 req/s, 64 connections"} {
		if _, ok := texts[want]; !ok {
			t.Errorf("timeline lacks %q: %v", want, texts)
		}
	}
	if _, ok := texts["target 100 req/s"]; ok {
		t.Error("a ramp is drawn as its starting rate")
	}
	tl, err := timelinePlots(lookFor(Size{}), res)
	grid := tl.rows
	if err != nil {
		t.Fatal(err)
	}
	if top := grid[0][0].Y.Max; top < 500 {
		t.Errorf("throughput axis ends at %v, below the ramp's 500 req/s", top)
	}
}

// A closed-model connection ramp is drawn as what was asked for in the
// connections panel; a hold run keeps its flat count.
func TestAskedConnectionsFollowTheStages(t *testing.T) {
	res := synthRun(22, "async", 4, 300, 800)
	res.Model, res.Connections = "closed", 10
	res.Ramp = []stats.RampPoint{{AtSec: 0, Target: 10}, {AtSec: 2, Target: 100}, {AtSec: 4, Target: 0}}
	for i, n := range []int{50, 100, 50, 0} {
		res.Intervals[i].OpenConns = n
	}
	pts, name := askedConnectionsLine(res, 4)
	if !reflect.DeepEqual(pts, plotter.XYs{{X: 0, Y: 10}, {X: 2, Y: 100}, {X: 4, Y: 0}}) || name != "asked for (stages)" {
		t.Errorf("closed ramp: asked %v %q", pts, name)
	}
	texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	for _, want := range []string{"asked for (stages)", "http://127.0.0.1:8080/ — async, closed model, 10 → 100 → 0 connections"} {
		if _, ok := texts[want]; !ok {
			t.Errorf("timeline lacks %q: %v", want, texts)
		}
	}
	hold := holdRun()
	if pts, name := askedConnectionsLine(hold, 4); !reflect.DeepEqual(pts, plotter.XYs{{X: 0, Y: 100}, {X: 4, Y: 100}}) || name != "asked for 100" {
		t.Errorf("hold: asked %v %q", pts, name)
	}
}
