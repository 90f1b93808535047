package plots

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// CompareCell is one run of `nowait compare`: a mode at a connection count
// and what it measured.
type CompareCell struct {
	Mode        string
	Connections int
	Summary     stats.Summary
	// LeftOut, when set, says in a word or two why the cell has nothing
	// to draw ("failed", "cut short"): it is not drawn, and the chart
	// names it, so that a missing point is not read as a mode that ran.
	LeftOut string
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
	logKBAxis            // log scale of KB, labelled with the unit that reads best: 500 KB, 2 MB
)

// comparePanels returns the panels for the cells' load model, in rows of
// two: throughput and latency for runs that load the target, what holding
// cost for hold, and for a hold comparison whose cells sent requests
// (--every) their latency and the generator's CPU time as well.
func comparePanels(cells []CompareCell) []comparePanel {
	if cells[0].Summary.Model != "hold" {
		return []comparePanel{
			{"Throughput", "responses/s", okPerSec, linearAxis},
			{"p99 latency", "latency (log)", func(s stats.Summary) float64 { return s.Latency.P(99) }, logMsAxis},
			{"Generator CPU per request", "µs/request", func(s stats.Summary) float64 { return s.CPUMicrosPerReq }, linearAxis},
			{"RSS added per connection", "RSS/conn (log)", rssKBPerConn, logKBAxis},
		}
	}
	holding := []comparePanel{
		{"Connections established", "peak open", func(s stats.Summary) float64 { return float64(s.PeakOpenConns) }, linearAxis},
		{"Connect time p99", "connect (log)", func(s stats.Summary) float64 { return s.Connect.P(99) }, logMsAxis},
	}
	cost := []comparePanel{
		{"Generator threads", "threads (log)", func(s stats.Summary) float64 { return float64(s.Generator.PeakThreads) }, logAxis},
		{"RSS added per connection", "RSS/conn (log)", rssKBPerConn, logKBAxis},
	}
	if !slices.ContainsFunc(cells, func(c CompareCell) bool { return c.Summary.Responses > 0 }) {
		return append(holding, cost...)
	}
	requests := []comparePanel{
		{"Request latency p99", "latency (log)", func(s stats.Summary) float64 { return s.Latency.P(99) }, logMsAxis},
		{"Generator CPU time", "CPU seconds", func(s stats.Summary) float64 { return s.Generator.CPUSec() }, linearAxis},
	}
	return append(append(holding, requests...), cost...)
}

// okPerSec is the responses per second whose status is within 200-399:
// a 500 is an answer, but not the service asked for, so it does not count
// as throughput (the report counts it as a failed attempt).
func okPerSec(s stats.Summary) float64 {
	failed := failedStatuses(s)
	if failed == 0 {
		return s.RequestsPerSec
	}
	return s.RequestsPerSec * float64(s.Responses-failed) / float64(s.Responses)
}

// failedStatuses is the number of responses of s with a status outside
// 200-399: its failed attempts less its transport and connect errors.
func failedStatuses(s stats.Summary) uint64 {
	if s.Failed <= s.ErrorTotal {
		return 0
	}
	return min(s.Failed-s.ErrorTotal, s.Responses)
}

// rssKBPerConn is the RSS added per connection in KB, 0 (the log axis's
// floor) for a run that opened no connection and so has no such figure.
func rssKBPerConn(s stats.Summary) float64 {
	if s.RSSBytesPerConn == nil {
		return 0
	}
	return *s.RSSBytesPerConn / 1000
}

// kbLabel labels a memory size given in KB with the decimal unit that
// reads best, as the table of `nowait compare` prints it: 500 B, 20 KB,
// 1 MB (not "1k" KB), 1.5 GB.
func kbLabel(kb float64) string {
	b := roundSig(kb * 1000)
	for _, u := range []struct {
		name string
		size float64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if b >= u.size {
			return strconv.FormatFloat(roundSig(b/u.size), 'f', -1, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(b, 'f', -1, 64) + " B"
}

// Compare draws the comparison of modes to path (.png or .svg): four
// panels, throughput, p99 latency, generator CPU per request and peak RSS
// per connection (for hold: connections established, connect time,
// threads and RSS per connection; with requests, their latency and the
// CPU time too, in a third row), each against the connection count (log
// scale), one line per mode, under a subtitle that says what setup ran
// (CompareSetup).
//
// Memory is in decimal units (1 KB = 1000 bytes), as the table of
// `nowait compare` prints it.
func Compare(setup CompareSetup, cells []CompareCell, path string, size Size) error {
	lk := lookFor(size)
	drawn := slices.DeleteFunc(slices.Clone(cells), func(c CompareCell) bool { return c.LeftOut != "" })
	grid, modes, err := comparePlots(lk, size, drawn)
	if err != nil {
		return err
	}
	h := compareHeader(setup, modes, cells)
	return render(path, compareSize(size, len(grid)), func(dc draw.Canvas) { paintCompare(dc, lk, h, modes, grid) })
}

// threeRowsMinHeight is the least height of a comparison in three rows
// of panels: a shorter one leaves each panel too little room for its
// axis's name, and is drawn in two rows of three instead.
const threeRowsMinHeight = 1.4 * MinHeightInches * vg.Inch

// compareSize is the size of a comparison of rows rows of panels: size,
// or when none is asked for the default, taller for a third row as a
// timeline of three panels is. Its look is the default size's either way.
func compareSize(size Size, rows int) Size {
	if size.W <= 0 || size.H <= 0 {
		return defaultTimelineSize(rows)
	}
	return size
}

// paintCompare draws the header h, the key of modes under it and the
// panels of grid in dc, and returns the data area of each panel, as
// drawn.
func paintCompare(dc draw.Canvas, lk look, h header, modes []string, grid [][]*plot.Plot) [][]draw.Canvas {
	return drawGrid(drawModeKey(drawHeader(dc, lk, h), lk, modes), lk, grid, nil, compareFit)
}

// drawModeKey draws the key of modes, each mode's line and marker and its
// name, in one row centred across the top of dc, and returns the canvas
// left below it. Why one key for the chart and not a legend in the first
// panel: the modes are the same in every panel, and a legend inside a
// panel needs room above its lines that depends on the panel's height,
// which the header's lines take from.
func drawModeKey(dc draw.Canvas, lk look, modes []string) draw.Canvas {
	k := panelKey{}
	sample := legendStyle(lk, lk.pt(24))
	var width vg.Length
	for _, mode := range modes {
		m := modeStyle(mode, modes)
		k.entries = append(k.entries, legendEntry{texts: []string{mode}, thumbs: []plot.Thumbnailer{
			&plotter.Line{LineStyle: draw.LineStyle{Color: seriesColor(m), Width: lk.pt(2)}},
			&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: seriesColor(m), Radius: lk.pt(3), Shape: markerShape(m)}},
		}})
		width += sample.ThumbnailWidth + sample.TextStyle.Width(" "+mode) + lk.pt(keyGap)
	}
	width -= lk.pt(keyGap)
	k.draw(dc, lk, dc.Center().X-width/2, dc.Max.Y, width)
	return draw.Crop(dc, 0, 0, 0, -(k.height(lk) + lk.pt(4)))
}

// comparePlots builds the 2x2 grid of panels and returns the modes in the
// order they first appear in cells.
func comparePlots(lk look, size Size, cells []CompareCell) ([][]*plot.Plot, []string, error) {
	if len(cells) == 0 {
		return nil, nil, errmsg.Errorf(ErrNoData, "no runs to compare")
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
	panels := comparePanels(cells)
	ps := make([]*plot.Plot, len(panels))
	var counts *connTicker // shared: every panel labels the same counts
	for i, pn := range panels {
		if pn.title == "Throughput" && slices.ContainsFunc(cells, func(c CompareCell) bool { return failedStatuses(c.Summary) > 0 }) {
			pn.title = "Throughput, 2xx/3xx only" // the header says how many failed
		}
		if pn.title == "Connect time p99" && slices.Contains(modes, "goroutine") {
			pn.title += "*" // the header says how goroutine's is timed
		}
		p := newPlot(lk, pn.title, "Connections (log scale)", pn.yLabel)
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = float64(max(conns[0], 1))/1.3, float64(max(conns[len(conns)-1], 1))*1.3
		if counts == nil {
			counts = &connTicker{conns: conns, label: p.X.Tick.Label}
		}
		p.X.Tick.Marker = counts
		p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
		yMax, yMin := 0.0, math.Inf(1)
		lines := map[string]plotter.XYs{}
		for _, mode := range modes {
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
			lines[mode] = pts
		}
		nest := anyCoincide(lines)
		for _, mode := range drawOrder(modes) {
			m := modeStyle(mode, modes)
			l, s, err := plotter.NewLinePoints(lines[mode])
			if err != nil {
				return nil, nil, err
			}
			width := 2.0
			if nest {
				width = nestedWidth(m)
			}
			l.Color, l.Width = seriesColor(m), lk.pt(width)
			s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(m), Radius: lk.pt(width + 1), Shape: markerShape(m)}
			p.Add(l, s)
		}
		p.Y.Min = 0
		p.Y.Max = math.Max(yMax*1.15, 1e-9)
		if pn.axis != linearAxis {
			// Labelled as densely as the panel's height allows, with a
			// label at or below the lowest point (drawGrid lowers the
			// axis to one), as the timeline's latency axis is.
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = newLogTicker(p.Y.Tick.Label.Font.Size, yMin)
			switch pn.axis {
			case logMsAxis:
				p.Y.Tick.Marker = newLatencyTicker(p.Y.Tick.Label.Font.Size, yMin)
			case logKBAxis:
				p.Y.Tick.Marker = &logTicker{labelPt: p.Y.Tick.Label.Font.Size, dataLo: yMin, label: kbLabel}
			}
			p.Y.Min, p.Y.Max = yMin/2, math.Max(yMax*2, yMin*10)
		}
		ps[i] = p
	}
	cols := 2
	if len(ps) > 4 && size.H > 0 && size.H < threeRowsMinHeight {
		cols = 3 // a chart too short for three rows has two of three
	}
	var grid [][]*plot.Plot
	for i := 0; i < len(ps); i += cols {
		grid = append(grid, ps[i:i+cols])
	}
	if len(grid) > 2 {
		// Three rows share the height: the axis of counts is named under
		// the bottom row alone, as a timeline names its time axis.
		for _, row := range grid[:len(grid)-1] {
			for _, p := range row {
				p.X.Label.Text = ""
			}
		}
	}
	return grid, modes, nil
}

// logFloor stands in for 0 on a log axis.
const logFloor = 1e-3

// modeStyle returns the index of mode's colour (seriesColor) and marker
// (markerShape), fixed for the modes nowait has: async blue circles, sync
// orange squares, goroutine green triangles, in every comparison whatever
// other modes it holds, so that two charts side by side agree. Another
// mode takes the next index by its place among such others in modes.
func modeStyle(mode string, modes []string) int {
	switch mode {
	case "async":
		return 0
	case "sync":
		return 1
	case "goroutine":
		return 2
	}
	i := 3
	for _, m := range modes {
		if m == mode {
			break
		}
		if modeStyle(m, nil) >= 3 {
			i++
		}
	}
	return i
}

// nestedWidth returns the width in points (at the default size) of the
// line of the mode with style index m in a panel where lines coincide:
// narrower for each later index, and drawOrder draws the modes in that
// order, so that lines that coincide (every mode established every
// connection) show as a band of each mode's colour inside the one
// before, not as the last line alone. The markers nest the same way.
func nestedWidth(m int) float64 {
	return max(4.5-1.5*float64(m), 1.5)
}

// anyCoincide reports whether two of lines, over the same counts, run
// within 1% of each other over a whole segment (or at their one point),
// so that the one drawn last would hide the other.
func anyCoincide(lines map[string]plotter.XYs) bool {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.01*math.Max(math.Abs(a), math.Abs(b)) }
	var all []plotter.XYs
	for _, l := range lines {
		all = append(all, l)
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := all[i], map[float64]float64{}
			for _, pt := range all[j] {
				b[pt.X] = pt.Y
			}
			same := func(pt plotter.XY) bool { y, ok := b[pt.X]; return ok && near(pt.Y, y) }
			for k := range a {
				if same(a[k]) && (len(a) == 1 || (k+1 < len(a) && same(a[k+1]))) {
					return true
				}
			}
		}
	}
	return false
}

// drawOrder returns modes in the order of their style index, the widest
// line first.
func drawOrder(modes []string) []string {
	out := slices.Clone(modes)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(modeStyle(a, modes), modeStyle(b, modes)) })
	return out
}

// markerShape gives each mode its own point shape as well as its colour.
func markerShape(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}}
	return shapes[i%len(shapes)]
}
