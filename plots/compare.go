package plots

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
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
	axis          panelAxis
}

// panelAxis is the y axis of a comparison panel.
type panelAxis int

const (
	linearAxis panelAxis = iota
	logAxis              // log scale, plain numbers: the modes differ by orders of magnitude
	logMsAxis            // log scale, labelled in ms as the timeline's latency axis is
)

// comparePanels returns the panels for the cells' load model: throughput
// and latency for runs that load the target, what holding cost for hold.
func comparePanels(model string) []comparePanel {
	if model == "hold" {
		return []comparePanel{
			{"Connections established", "peak open", func(s stats.Summary) float64 { return float64(s.PeakOpenConns) }, linearAxis},
			{"Connect time p99", "log scale", func(s stats.Summary) float64 { return s.Connect.P(99) }, logMsAxis},
			{"Generator threads", "threads (log)", func(s stats.Summary) float64 { return float64(s.Generator.PeakThreads) }, logAxis},
			{"RSS added per connection", "KB/conn (log)", rssKBPerConn, logAxis},
		}
	}
	return []comparePanel{
		{"Throughput", "responses/s", func(s stats.Summary) float64 { return s.RequestsPerSec }, linearAxis},
		{"p99 latency", "log scale", func(s stats.Summary) float64 { return s.Latency.P(99) }, logMsAxis},
		{"Generator CPU per request", "µs/request", func(s stats.Summary) float64 { return s.CPUMicrosPerReq }, linearAxis},
		{"RSS added per connection", "KB/conn (log)", rssKBPerConn, logAxis},
	}
}

// rssKBPerConn is the RSS added per connection in KB, 0 (the log axis's
// floor) for a run that opened no connection and so has no such figure.
func rssKBPerConn(s stats.Summary) float64 {
	if s.RSSBytesPerConn == nil {
		return 0
	}
	return *s.RSSBytesPerConn / 1000
}

// Compare draws the comparison of modes to path (.png or .svg): four
// panels, throughput, p99 latency, generator CPU per request and peak RSS
// per connection, each against the connection count (log scale), one line
// per mode.
//
// Memory is in decimal units (1 KB = 1000 bytes), as the table of
// `nowait compare` prints it.
func Compare(cells []CompareCell, path string, size Size) error {
	lk := lookFor(size)
	grid, modes, err := comparePlots(lk, cells)
	if err != nil {
		return err
	}
	h := header{title: "nowait: " + strings.Join(modes, " vs ") + " by connection count"}
	return render(path, size, func(dc draw.Canvas) { drawGrid(drawHeader(dc, lk, h), lk, grid, nil, nil) })
}

// comparePlots builds the 2x2 grid of panels and returns the modes in the
// order they first appear in cells.
func comparePlots(lk look, cells []CompareCell) ([][]*plot.Plot, []string, error) {
	if len(cells) == 0 {
		return nil, nil, errorf(ErrNoData, "no runs to compare")
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
		p := newPlot(lk, pn.title, "Connections (log scale)", pn.yLabel)
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = float64(max(conns[0], 1))/1.3, float64(max(conns[len(conns)-1], 1))*1.3
		p.X.Tick.Marker = connTicks(conns)
		p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
		yMax, yMin := 0.0, math.Inf(1)
		for m, mode := range modes {
			cs := byMode[mode]
			slices.SortFunc(cs, func(a, b CompareCell) int { return cmp.Compare(a.Connections, b.Connections) })
			pts := make(plotter.XYs, len(cs))
			for j, c := range cs {
				y := pn.value(c.Summary)
				if pn.axis != linearAxis {
					y = max(y, logFloor) // a log axis has no 0
				}
				pts[j] = plotter.XY{X: float64(max(c.Connections, 1)), Y: y}
				yMax, yMin = max(yMax, y), min(yMin, y)
			}
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, nil, err
			}
			l.Color, l.Width = seriesColor(m), lk.pt(2)
			s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(m), Radius: lk.pt(3), Shape: markerShape(m)}
			p.Add(l, s)
			if i == 0 {
				p.Legend.Add(mode, l, s)
			}
		}
		p.Y.Min = 0
		p.Y.Max = math.Max(yMax*1.15, 1e-9)
		if pn.axis != linearAxis {
			// Labelled as densely as the panel's height allows, with a
			// label at or below the lowest point (drawGrid lowers the
			// axis to one), as the timeline's latency axis is.
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = newLogTicker(p.Y.Tick.Label.Font.Size, yMin)
			if pn.axis == logMsAxis {
				p.Y.Tick.Marker = newLatencyTicker(p.Y.Tick.Label.Font.Size, yMin)
			}
			p.Y.Min, p.Y.Max = yMin/2, math.Max(yMax*2, yMin*10)
		}
		if i == 0 {
			p.Legend.Top = true
			p.Legend.XOffs = -lk.pt(8)
			p.Y.Max = math.Max(yMax*(1.2+0.18*float64(len(modes))), 1e-9) // room for the legend
		}
		ps[i] = p
	}
	return [][]*plot.Plot{{ps[0], ps[1]}, {ps[2], ps[3]}}, modes, nil
}

// logFloor stands in for 0 on a log axis.
const logFloor = 1e-3

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
