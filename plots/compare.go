package plots

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// CompareCell is one run of `nowait compare`: a mode at a connection count
// and what it measured.
type CompareCell struct {
	Mode        string
	Connections int
	Summary     stats.Summary
}

// comparePanel is one of the four metrics of the comparison chart.
type comparePanel struct {
	title, yLabel string
	value         func(s stats.Summary) float64
}

// comparePanels returns the panels for the cells' load model: throughput
// and latency for runs that load the target, what holding cost for hold.
func comparePanels(model string) []comparePanel {
	if model == "hold" {
		return []comparePanel{
			{"Connections established", "connections (peak open)", func(s stats.Summary) float64 { return float64(s.PeakOpenConns) }},
			{"Connect time p99", "ms", func(s stats.Summary) float64 { return s.Connect.P(99) }},
			{"Generator threads", "threads (peak)", func(s stats.Summary) float64 { return float64(s.Generator.PeakThreads) }},
			{"Generator RSS added per connection", "KiB/connection", func(s stats.Summary) float64 { return s.RSSBytesPerConn / 1024 }},
		}
	}
	return []comparePanel{
		{"Throughput", "responses/s", func(s stats.Summary) float64 { return s.RequestsPerSec }},
		{"p99 latency", "ms", func(s stats.Summary) float64 { return s.Latency.P(99) }},
		{"Generator CPU per request", "µs/request", func(s stats.Summary) float64 { return s.CPUMicrosPerReq }},
		{"Generator RSS added per connection", "KiB/connection", func(s stats.Summary) float64 { return s.RSSBytesPerConn / 1024 }},
	}
}

// Compare draws the comparison of modes to path (.png or .svg): four
// panels, throughput, p99 latency, generator CPU per request and peak RSS
// per connection, each against the connection count (log scale), one line
// per mode.
func Compare(cells []CompareCell, path string, size Size) error {
	grid, modes, err := comparePlots(cells)
	if err != nil {
		return err
	}
	title := "nowait: " + strings.Join(modes, " vs ") + " by connection count"
	return render(path, size, func(dc draw.Canvas) { drawGrid(dc, title, grid) })
}

// comparePlots builds the 2x2 grid of panels and returns the modes in the
// order they first appear in cells.
func comparePlots(cells []CompareCell) ([][]*plot.Plot, []string, error) {
	if len(cells) == 0 {
		return nil, nil, fmt.Errorf("%w: no runs to compare", ErrNoData)
	}
	var modes []string
	byMode := map[string][]CompareCell{}
	var conns []int
	for _, c := range cells {
		if _, ok := byMode[c.Mode]; !ok {
			modes = append(modes, c.Mode)
		}
		byMode[c.Mode] = append(byMode[c.Mode], c)
		if !slices.Contains(conns, c.Connections) {
			conns = append(conns, c.Connections)
		}
	}
	slices.Sort(conns)
	panels := comparePanels(cells[0].Summary.Model)
	ps := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := newPlot(pn.title, "Connections (log scale)", pn.yLabel)
		p.Title.TextStyle.Font = sans(labelPt+1, true)
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = float64(max(conns[0], 1))/1.3, float64(max(conns[len(conns)-1], 1))*1.3
		p.X.Tick.Marker = connTicks(conns)
		p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
		yMax := 0.0
		for m, mode := range modes {
			cs := byMode[mode]
			slices.SortFunc(cs, func(a, b CompareCell) int { return cmp.Compare(a.Connections, b.Connections) })
			pts := make(plotter.XYs, len(cs))
			for j, c := range cs {
				pts[j] = plotter.XY{X: float64(max(c.Connections, 1)), Y: pn.value(c.Summary)}
				yMax = max(yMax, pts[j].Y)
			}
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, nil, err
			}
			l.Color, l.Width = seriesColor(m), vg.Points(2)
			s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(m), Radius: vg.Points(3), Shape: markerShape(m)}
			p.Add(l, s)
			if i == 0 {
				p.Legend.Add(mode, l, s)
			}
		}
		p.Y.Min = 0
		p.Y.Max = math.Max(yMax*1.15, 1e-9)
		if i == 0 {
			p.Legend.Top = true
			p.Legend.XOffs = -vg.Points(4)
			p.Y.Max = math.Max(yMax*(1.2+0.18*float64(len(modes))), 1e-9) // room for the legend
		}
		ps[i] = p
	}
	return [][]*plot.Plot{{ps[0], ps[1]}, {ps[2], ps[3]}}, modes, nil
}

// markerShape gives each mode its own point shape as well as its colour.
func markerShape(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}}
	return shapes[i%len(shapes)]
}

// connTicks labels the x axis at the connection counts that were run.
func connTicks(conns []int) plot.Ticker {
	ticks := make(plot.ConstantTicks, 0, len(conns))
	for _, c := range conns {
		ticks = append(ticks, plot.Tick{Value: float64(max(c, 1)), Label: formatNum(float64(c))})
	}
	return ticks
}
