package plots

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// quickHold is QA's hold run: 3,000 connections, all open after 188 ms,
// held for three seconds.
func quickHold() *stats.Result {
	res := heldOnly()
	res.Connections, res.PeakOpenConns = 3000, 3000
	for i := range res.Intervals {
		res.Intervals[i].OpenConns = 3000
	}
	res.EstablishedIn = 188 * time.Millisecond
	return res
}

// A hold run's connections line starts at none open and reaches all of
// them when they were all open, 188 ms in, not at the end of the first
// second: QA's chart drew a ramp from 0 to 3,000 across the whole second.
// The moment is marked and named in the legend.
func TestHoldTimelineShowsWhenAllWereOpen(t *testing.T) {
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(quickHold(), p, s) })
	lines := pathPoints(svg, "#56B4E9", 5)
	if len(lines) != 1 {
		t.Fatalf("%d open-connections lines, want 1", len(lines))
	}
	pts := lines[0]
	if len(pts) != 5 {
		t.Fatalf("open-connections line through %v, want 0 s, the all-open moment and the 3 seconds", pts)
	}
	// Seconds 1 and 2 (points 2 and 3) fix the time axis.
	secs := func(x float64) float64 { return 1 + (x-pts[2].X)/(pts[3].X-pts[2].X) }
	if at := secs(pts[1].X); math.Abs(at-0.188) > 0.005 || pts[1].Y != pts[2].Y || pts[0].Y == pts[1].Y || math.Abs(secs(pts[0].X)) > 0.005 {
		t.Errorf("line from %.3f s to 3,000 open at %.3f s (y %v, then %v): want from 0 s to all open at 0.188 s", secs(pts[0].X), at, pts[1].Y, pts[2].Y)
	}
	if _, ok := svgTexts(svg)["all 3,000 open after 188.0ms"]; !ok {
		t.Errorf("no legend for the all-open moment in %v", svgTexts(svg))
	}

	// Never all open (or saved without the moment): the samples alone.
	res := quickHold()
	res.EstablishedIn = 0
	svg = drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	if lines := pathPoints(svg, "#56B4E9", 4); len(lines) != 1 || len(lines[0]) != 4 {
		t.Errorf("open-connections lines %v, want one through 0 s and the 3 seconds", lines)
	}
	for text := range svgTexts(svg) {
		if len(text) > 4 && text[:4] == "all " {
			t.Errorf("a run never all open says %q", text)
		}
	}
}

// A hold run that took seconds to open all its connections has its line
// through every sample, then the all-open moment: QA's h-refuse line ran
// straight from 0 to "all 300 open after 2.40s", beside the samples of
// 159 and 220 open at 1 s and 2 s.
func TestHoldLinePassesThroughEverySample(t *testing.T) {
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s, n := range []int{159, 220, 300, 300} {
		rec.CloseInterval(int64(s+1)*1e9, n)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections, res.PeakOpenConns = "async", "hold", "http://127.0.0.1:8080/", 300, 300
	res.EstablishedIn = 2400 * time.Millisecond
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	lines := pathPoints(svg, "#56B4E9", 5)
	if len(lines) != 1 || len(lines[0]) != 6 {
		t.Fatalf("open-connections lines %v, want one through 0 s, 1 s, 2 s, 2.4 s, 3 s and 4 s", lines)
	}
	pts := lines[0]
	// The start (0 at 0 s) and the end (300 at 4 s) fix the axes.
	val := func(i int) (secs, conns float64) {
		return 4 * (pts[i].X - pts[0].X) / (pts[5].X - pts[0].X), 300 * (pts[i].Y - pts[0].Y) / (pts[5].Y - pts[0].Y)
	}
	want := [][2]float64{{0, 0}, {1, 159}, {2, 220}, {2.4, 300}, {3, 300}, {4, 300}}
	for i, w := range want {
		if s, c := val(i); math.Abs(s-w[0]) > 0.01 || math.Abs(c-w[1]) > 1 {
			t.Errorf("point %d at %.2f s, %.0f open; want %.1f s, %.0f", i, s, c, w[0], w[1])
		}
	}
}

// churnRun is QA's r-refuse: 20 connections closed after each response
// (Connection: close), so that 14,238 were opened in four seconds, and
// sampled open at the end of each second as 0, 0, 20 and 0.
func churnRun() *stats.Result {
	res := synthRun(25, "async", 4, 3500, 1100)
	res.Connects = 0
	for i, n := range []int{0, 0, 20, 0} {
		iv := &res.Intervals[i]
		iv.OpenConns, iv.Connects = n, iv.Responses+uint64(i)
		res.Connects += iv.Connects
	}
	res.Connections, res.PeakOpenConns = 20, 20
	return res
}

// The open connections of a run other than hold are samples, which
// are not joined: QA's r-refuse drew 0, 0, 20, 0 as a ramp up and down
// although 14,238 connections came and went between them. A run that
// churned its connections gets the panel, with its connects per second
// marked and in all; a steady one does not.
func TestOpenConnectionSamplesAreNotJoined(t *testing.T) {
	res := churnRun()
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	if lines := pathPoints(svg, "#56B4E9", 2); len(lines) != 0 {
		t.Errorf("open-connections samples joined by lines %v", lines)
	}
	// 875 connects a second against 20 open: a log axis, where the three
	// seconds with none open have no place (the legend says so).
	if n := circlesIn(svg, "#56B4E9"); n != 2 {
		t.Errorf("%d open-connections marks, want 2 (the one second with any open, and the legend)", n)
	}
	if _, ok := svgTexts(svg)["open at the end of each second (peak 20; none open: not drawn)"]; !ok {
		t.Error("the legend does not say the seconds with none open are not drawn")
	}
	want := "connects/s (" + stats.GroupDigits(int64(res.Connects)) + " in all: connections closed and opened again)"
	if _, ok := svgTexts(svg)[want]; !ok {
		t.Errorf("timeline lacks %q", want)
	}
	if n := strings.Count(svg, "fill:#5A5A5A"); n != 5 {
		t.Errorf("%d connects/s marks, want 5 (four seconds and the legend)", n)
	}

	steady := churnRun()
	steady.Connects = 20
	for i := range steady.Intervals {
		steady.Intervals[i].OpenConns, steady.Intervals[i].Connects = 20, 0
	}
	if _, ok := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(steady, p, s) }))["Connections"]; ok {
		t.Error("a run that kept its 20 connections has a connections panel")
	}
}

// The held connections the server closed are marked per second, with
// their total: QA's h-close (a server closing each connection after
// three requests, 300 closes in 3 s) showed a flat line at 100 open and
// nothing else. A hold run whose server closed none says nothing of it.
func TestHoldTimelineMarksServerCloses(t *testing.T) {
	res := holdRun()
	res.ServerClosed = 0
	for i, n := range []uint64{0, 100, 100, 100} {
		res.Intervals[i].ServerClosed = n
		res.ServerClosed += n
	}
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	want := "server closes/s (" + stats.GroupDigits(int64(res.ServerClosed)) + " in all, each opened again)"
	if _, ok := svgTexts(svg)[want]; !ok {
		t.Errorf("timeline lacks %q", want)
	}
	if n := strings.Count(svg, "fill:#5A5A5A"); n != 4 {
		t.Errorf("%d server-close marks, want 4 (three seconds and the legend)", n)
	}
	svg = drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(holdRun(), p, s) })
	if strings.Contains(svg, "server closes") || strings.Contains(svg, "fill:#5A5A5A") {
		t.Error("a hold run whose server closed nothing marks server closes")
	}
}

// Connects a second far above the open connections put the panel on a
// log axis: a run with 19 connections open and about 2,000 connects a
// second (a target resetting one request in six) drew its open
// connections as dots on the zero line of an axis to 3,000.
func TestChurnDwarfingTheOpenCountGoesLog(t *testing.T) {
	res := churnRun()
	for i := range res.Intervals {
		res.Intervals[i].OpenConns = 19
	}
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	texts := svgTexts(svg)
	for _, want := range []string{"10", "100", "1k", "open at the end of each second (peak 20)"} {
		if _, ok := texts[want]; !ok {
			t.Errorf("connections panel lacks %q (a log axis, every sample drawn)", want)
		}
	}
	if n := circlesIn(svg, "#56B4E9"); n != 5 {
		t.Errorf("%d open-connections marks, want 5 (four seconds and the legend)", n)
	}
}
