package plots

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/nowait/nowait/stats"
)

// qaCells is QA's comparison: p99 from 2 ms (async at 10 connections) to
// 600 ms, RSS per connection from 5.8 KB to 1.1 MB.
func qaCells() []CompareCell {
	p99 := map[string][]float64{"async": {2.1, 7.2, 43}, "sync": {7.3, 80, 665}, "goroutine": {2.4, 9.2, 390}}
	rss := map[string][]float64{"async": {424, 47, 5.8}, "sync": {1100, 133, 33}, "goroutine": {1000, 153, 45}}
	var cells []CompareCell
	for _, mode := range []string{"async", "sync", "goroutine"} {
		for i, c := range []int{10, 100, 1000} {
			s := stats.Summary{Mode: mode, Connections: c, RequestsPerSec: 30000, CPUMicrosPerReq: 20}
			s.Latency.Percentiles = map[string]float64{"99": p99[mode][i]}
			perConn := rss[mode][i] * 1000
			s.RSSBytesPerConn = &perConn
			cells = append(cells, CompareCell{Mode: mode, Connections: c, Summary: s})
		}
	}
	return cells
}

// Every log panel of a comparison labels its axis near its data, as the
// timeline's latency axis does: a label at or below the lowest point, and
// under every point a label less than a decade below it. QA's p99 panel
// labelled only 10 and 100, so its 2 ms points could not be read, and
// the RSS panel had no label under its 5.8 KB point.
func TestCompareLogPanelsLabelTheirData(t *testing.T) {
	for name, cells := range map[string][]CompareCell{"QA's": qaCells(), "closed": compareCells(), "hold": holdCells(), "hold --every": holdWithRequests()} {
		for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			lk := lookFor(size)
			grid, modes, err := comparePlots(lk, size, cells)
			if err != nil {
				t.Fatal(err)
			}
			full := compareSize(size, len(grid))
			dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
			paintCompare(dc, lk, header{title: "compare"}, modes, grid)
			for i, pn := range comparePanels(cells) {
				if pn.axis == linearAxis {
					continue
				}
				p := grid[i/len(grid[0])][i%len(grid[0])]
				labels := labelledTicks(p)
				var texts []string
				for _, l := range labels {
					texts = append(texts, l.Label)
				}
				where := fmt.Sprintf("%s cells at %v, %s: labels %s", name, size, pn.title, strings.Join(texts, ", "))
				if pn.axis == logMsAxis && !strings.HasSuffix(texts[0], " ms") {
					t.Errorf("%s: want latency labels with their unit, as the timeline's", where)
				}
				for _, c := range cells {
					v := pn.value(c.Summary)
					below := 0.0
					for _, l := range labels {
						if l.Value <= v*(1+1e-9) {
							below = l.Value
						}
					}
					if below == 0 || below <= v/10 {
						t.Errorf("%s: no label within a decade under the %s point at %v", where, c.Mode, v)
					}
				}
			}
		}
	}
}

// cellsOf returns the cells of compareCells whose mode is in modes, in
// the order of modes.
func cellsOf(modes ...string) []CompareCell {
	var out []CompareCell
	for _, m := range modes {
		for _, c := range compareCells() {
			if c.Mode == m {
				out = append(out, c)
			}
		}
	}
	return out
}

// A mode has one colour in every comparison, whatever modes it is
// compared with: QA's goroutine was green beside async and sync, orange
// (sync's colour) beside async alone. Each line of four counts is drawn
// in its mode's colour, and no other mode's colour has a data line.
func TestCompareModeColourIsFixed(t *testing.T) {
	colour := map[string]string{"async": "#0072B2", "sync": "#E69F00", "goroutine": "#009E73"}
	for _, modes := range [][]string{{"async", "sync", "goroutine"}, {"async", "goroutine"}, {"goroutine", "sync"}, {"goroutine"}, {"sync"}} {
		svg := []byte(drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, cellsOf(modes...), p, s) }))
		for mode, c := range colour {
			want := slices.Contains(modes, mode)
			if got := hasLine(svg, line{c, 4}); got != want {
				t.Errorf("modes %v: a line of 4 points stroked %s (%s's colour): %v, want %v", modes, c, mode, got, want)
			}
		}
	}
}

// manyCounts is QA's comparison of two modes at ten connection counts,
// 1 to 1,000.
func manyCounts() []CompareCell {
	var cells []CompareCell
	for m, mode := range []string{"async", "goroutine"} {
		for _, c := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
			s := stats.Summary{Mode: mode, Connections: c, RequestsPerSec: 300000 / float64(m+1), CPUMicrosPerReq: 3}
			s.Latency.Percentiles = map[string]float64{"99": float64(c) / 10}
			rss := 3e6 / float64(c)
			s.RSSBytesPerConn = &rss
			cells = append(cells, CompareCell{Mode: mode, Connections: c, Summary: s})
		}
	}
	return cells
}

// The connection counts under a panel never run together: QA's ten
// counts read "50100" and "2005001k". Each count keeps its tick; the
// labels drawn, placed on the data area as drawn, stand apart by the
// widths of their text, the smallest and largest counts are labelled, and
// every panel labels the same counts.
func TestCompareCountLabelsDoNotOverlap(t *testing.T) {
	cells := manyCounts()
	for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}, {W: 16 * vg.Inch, H: 10 * vg.Inch}} {
		lk := lookFor(size)
		grid, modes, err := comparePlots(lk, size, cells)
		if err != nil {
			t.Fatal(err)
		}
		full := compareSize(size, len(grid))
		dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
		data := paintCompare(dc, lk, header{title: "compare"}, modes, grid)
		var first []string // the labels of the first panel
		for r := range grid {
			for c, p := range grid[r] {
				ticks := p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)
				if len(ticks) != 10 {
					t.Errorf("%v, %s: %d ticks, want one per count, 10", size, p.X.Label.Text, len(ticks))
				}
				width := data[r][c].Max.X - data[r][c].Min.X
				x := func(v float64) vg.Length {
					return width * vg.Length(math.Log(v/p.X.Min)/math.Log(p.X.Max/p.X.Min))
				}
				var labels []string
				prevRight := vg.Length(math.Inf(-1))
				for _, tk := range ticks {
					if tk.Label == "" {
						continue
					}
					labels = append(labels, tk.Label)
					half := p.X.Tick.Label.Width(tk.Label) / 2
					if x(tk.Value)-half < prevRight {
						t.Errorf("%v: label %q overlaps the one before it (labels %v)", size, tk.Label, labels)
					}
					prevRight = x(tk.Value) + half
				}
				if len(labels) < 2 || labels[0] != "1" || labels[len(labels)-1] != "1k" {
					t.Errorf("%v: labels %v; want the smallest and largest counts among them", size, labels)
				}
				if first == nil {
					first = labels
				} else if !slices.Equal(labels, first) {
					t.Errorf("%v: labels %v, the first panel's %v; want the same counts under every panel", size, labels, first)
				}
			}
		}
	}
}

// Every axis of a comparison names its quantity, within the height of its
// panel, and memory reads in the unit that fits it: QA's p99 and connect
// time axes said only "log scale", and 1,000 KB per connection read "1k"
// on a "KB/conn" axis, where the table says 1 MB.
func TestCompareAxesNameTheirQuantity(t *testing.T) {
	for name, cells := range map[string][]CompareCell{"QA's": qaCells(), "many": manyCounts(), "hold": holdCells(), "hold --every": holdWithRequests()} {
		for _, size := range []Size{{}, {W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}} {
			lk := lookFor(size)
			grid, modes, err := comparePlots(lk, size, cells)
			if err != nil {
				t.Fatal(err)
			}
			full := compareSize(size, len(grid))
			dc := draw.New(vgimg.NewWith(vgimg.UseWH(full.W, full.H), vgimg.UseDPI(DPI)))
			data := paintCompare(dc, lk, header{title: "compare"}, modes, grid)
			for i, pn := range comparePanels(cells) {
				p := grid[i/len(grid[0])][i%len(grid[0])]
				where := fmt.Sprintf("%s cells at %v, %s", name, size, pn.title)
				quantity := strings.NewReplacer("(log)", "", "log scale", "", "(", "", ")", "").Replace(p.Y.Label.Text)
				if strings.TrimSpace(quantity) == "" {
					t.Errorf("%s: y axis %q names no quantity", where, p.Y.Label.Text)
				}
				d := data[i/len(grid[0])][i%len(grid[0])]
				if w := p.Y.Label.TextStyle.Width(p.Y.Label.Text); w > d.Max.Y-d.Min.Y {
					t.Errorf("%s: y axis label %q is %v long, the panel %v high", where, p.Y.Label.Text, w, d.Max.Y-d.Min.Y)
				}
				if pn.title != "RSS added per connection" {
					continue
				}
				for _, l := range labelledTicks(p) {
					kb := l.Value
					unit := map[bool]string{true: " MB", false: " KB"}[kb >= 1000]
					if kb < 1 {
						unit = " B"
					}
					if !strings.HasSuffix(l.Label, unit) {
						t.Errorf("%s: %v KB labelled %q; want it in%s", where, kb, l.Label, unit)
					}
				}
			}
		}
	}
}

// Lines that coincide stay visible: QA's hold comparison, where every mode
// established every connection, showed the last mode's line alone. Every
// data line drawn over an earlier one at the same points (the same SVG
// path) is narrower than it, so each shows as a band around the next.
func TestCompareCoincidingLinesStayVisible(t *testing.T) {
	cells := holdCells()
	for _, c := range []CompareCell{{Mode: "sync", Connections: 50}, {Mode: "sync", Connections: 200}} {
		s := stats.Summary{Mode: "sync", Model: "hold", Connections: c.Connections, PeakOpenConns: c.Connections}
		s.Connect.Percentiles = map[string]float64{"99": 30}
		s.Generator.PeakThreads = c.Connections
		rss := 90000.0
		s.RSSBytesPerConn = &rss
		cells = append(cells, CompareCell{Mode: "sync", Connections: c.Connections, Summary: s})
	}
	for _, modes := range [][]string{{"async", "sync", "goroutine"}, {"goroutine", "sync", "async"}} {
		var ordered []CompareCell
		for _, m := range modes {
			for _, c := range cells {
				if c.Mode == m {
					ordered = append(ordered, c)
				}
			}
		}
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, ordered, p, s) })
		re := regexp.MustCompile(`<path d="(M[-0-9.,]+(?:L[-0-9.,]+)+)" style="fill:none;stroke:(#[0-9A-F]{6});stroke-width:([0-9.]+)"`)
		type drawn struct {
			stroke string
			width  float64
		}
		byPath := map[string][]drawn{}
		for _, m := range re.FindAllStringSubmatch(svg, -1) {
			w, _ := strconv.ParseFloat(m[3], 64)
			if m[2] == "#E1E1E1" || m[2] == "#000000" {
				continue // the grid and the axes
			}
			byPath[m[1]] = append(byPath[m[1]], drawn{m[2], w})
		}
		shared := 0
		for d, lines := range byPath {
			for i := 1; i < len(lines); i++ {
				if lines[i].stroke == lines[i-1].stroke {
					continue
				}
				shared++
				if lines[i].width >= lines[i-1].width {
					t.Errorf("modes %v: line %s %v wide drawn over %s %v wide at %.40s", modes,
						lines[i].stroke, lines[i].width, lines[i-1].stroke, lines[i-1].width, d)
				}
			}
		}
		if shared < 2 {
			t.Errorf("modes %v: %d lines drawn over another's path; want the three established lines to coincide", modes, shared)
		}
	}
}

// holdWithRequests is holdCells whose connections each sent requests
// (--every): their latency rises with the count.
func holdWithRequests() []CompareCell {
	cells := holdCells()
	for i := range cells {
		s := &cells[i].Summary
		s.Requests, s.Responses = uint64(s.Connections*4), uint64(s.Connections*4)
		s.Latency.Percentiles = map[string]float64{"99": 2 + float64(s.Connections)/50}
		s.Generator.CPUUserSec = float64(s.Connections) / 1000
	}
	return cells
}

// A hold comparison whose cells sent requests (--every) charts their
// latency too, and the generator's CPU time, in a third row on a taller
// chart: QA's comparison with --every 500ms charted no request latency at
// all. Without requests the chart keeps its four panels.
func TestCompareHoldChartsRequestLatency(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cells  []CompareCell
		rows   int
		height string
	}{{"with --every", holdWithRequests(), 3, `height="504pt"`}, {"without", holdCells(), 2, `height="360pt"`}} {
		lk := lookFor(Size{})
		grid, _, err := comparePlots(lk, Size{}, tc.cells)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, row := range grid {
			for _, p := range row {
				titles = append(titles, p.Title.Text)
			}
		}
		if len(grid) != tc.rows || slices.Contains(titles, "Request latency p99") != (tc.rows == 3) {
			t.Errorf("%s: panels %q; want %d rows, request latency among them: %v", tc.name, titles, tc.rows, tc.rows == 3)
		}
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, tc.cells, p, s) })
		if !strings.Contains(svg, tc.height) {
			t.Errorf("%s: the chart is not %s: %.300s", tc.name, tc.height, svg)
		}
		if tc.rows == 3 {
			// The latency points are drawn: their labels are in ms and
			// the panel has a label within a decade under each point.
			pn := comparePanels(tc.cells)[2]
			for _, c := range tc.cells {
				if v := pn.value(c.Summary); v != c.Summary.Latency.P(99) || v <= 0 {
					t.Errorf("%s: %s at %d: request latency %v, want its p99 %v", tc.name, c.Mode, c.Connections, v, c.Summary.Latency.P(99))
				}
			}
		}
	}
}
