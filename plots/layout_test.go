package plots

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/nowait/nowait/stats"
)

// tickLabels joins the labels of ticks, leaving out unlabelled ones.
func tickLabels(ticks []plot.Tick) string {
	var l []string
	for _, tk := range ticks {
		if tk.Label != "" {
			l = append(l, tk.Label)
		}
	}
	return strings.Join(l, " ")
}

// Linear axes get four to seven labels, each in the unit of its size,
// the same on every chart: QA found "1500k" on a pipelined run and "8000"
// on an open-model one beside "100k" on a closed one.
func TestAxisLabels(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{tickLabels(linearTicks(0, 30000)), "0 5k 10k 15k 20k 25k 30k"},
		{tickLabels(linearTicks(0, 17500)), "0 5k 10k 15k"},
		{tickLabels(linearTicks(0, 5000)), "0 1k 2k 3k 4k 5k"},
		{tickLabels(linearTicks(0, 8640)), "0 2k 4k 6k 8k"},
		{tickLabels(linearTicks(0, 1500)), "0 250 500 750 1k 1.25k 1.5k"},
		{tickLabels(linearTicks(0, 1.62e6)), "0 500k 1M 1.5M"},
		{tickLabels(linearTicks(0, 280)), "0 50 100 150 200 250"},
	} {
		if tc.got != tc.want {
			t.Errorf("ticks %q, want %q", tc.got, tc.want)
		}
	}
}

// holdCells fakes a hold comparison of two modes at two counts.
func holdCells() []CompareCell {
	var cells []CompareCell
	for m, mode := range []string{"async", "goroutine"} {
		for _, c := range []int{50, 200} {
			s := stats.Summary{Mode: mode, Model: "hold", Connections: c, PeakOpenConns: c}
			s.Connect.Percentiles = map[string]float64{"99": float64(c) / 10 * float64(m+1)}
			s.Generator.PeakThreads = 8 + 3*m
			rss := float64(17000 + m*50000)
			s.RSSBytesPerConn = &rss
			cells = append(cells, CompareCell{Mode: mode, Connections: c, Summary: s})
		}
	}
	return cells
}

// The panel titles of a row sit at one height, whatever the panels' axes,
// and memory is in the table's decimal KB.
func TestComparePanelTitlesLineUp(t *testing.T) {
	for name, cells := range map[string][]CompareCell{"closed": compareCells(), "hold": holdCells()} {
		texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, cells, p, s) }))
		rows := [][2]string{{"Throughput", "p99 latency"}, {"Generator CPU per request", "RSS added per connection"}}
		if name == "hold" {
			rows = [][2]string{{"Connections established", "Connect time p99*"}, {"Generator threads", "RSS added per connection"}}
		}
		for _, r := range rows {
			y0, ok0 := texts[r[0]]
			y1, ok1 := texts[r[1]]
			if !ok0 || !ok1 || y0 != y1 {
				t.Errorf("%s: title %q at y %v (%v), %q at y %v (%v)", name, r[0], y0, ok0, r[1], y1, ok1)
			}
		}
		if _, ok := texts["RSS/conn (log)"]; !ok {
			t.Errorf("%s: no RSS/conn axis", name)
		}
		if _, ok := texts["10 KB"]; !ok {
			t.Errorf("%s: no 10 KB label on the RSS/conn axis", name)
		}
	}
}

// A 4 x 3 inch chart (the smallest allowed) scales its fonts so that the
// 0% and 50% ticks would not touch, were 0% labelled (the legend's fit is
// TestSpectrumLegendFits).
func TestSmallChartFits(t *testing.T) {
	size := Size{W: MinWidthInches * vg.Inch, H: MinHeightInches * vg.Inch}
	lk := lookFor(size)
	series := []Series{SeriesOf("async", synthRun(17, "async", 5, 2000, 800))}
	sp, err := spectrumPlot(lk, series)
	if err != nil {
		t.Fatal(err)
	}
	p := sp.plot
	dc := draw.New(vgimg.NewWith(vgimg.UseWH(size.W, size.H), vgimg.UseDPI(DPI)))
	data := p.DataCanvas(drawHeader(dc, lk, spectrumHeader(series)))
	width := data.Max.X - data.Min.X
	sty := p.X.Tick.Label
	gap := width*vg.Length(nines(50)/p.X.Max) - (sty.Width("0%")+sty.Width("50%"))/2
	if gap < vg.Points(2) {
		t.Errorf("0%% and 50%% labels are %v apart", gap)
	}
	title := textStyle(titlePt, true, nil, lk)
	if w := title.Width("Throughput and latency over time"); w > size.W {
		t.Errorf("timeline title is %v wide on a %v chart", w, size.W)
	}
}

// A latency axis labels as densely as its height allows: 1-2-5 when
// roomy, fewer as it gets tight, never two labels closer than a label's
// height, and at least two, so that a short panel over 2.8-13 ms still
// reads below 10 ms.
func TestLatencyLabelsFitThePanel(t *testing.T) {
	const labelPt = 11
	labels := func(heightPt float64, lo, hi float64) []float64 {
		lt := newLatencyTicker(labelPt, 0)
		lt.heightPt = vg.Length(heightPt)
		var vs []float64
		for _, tk := range lt.Ticks(lo, hi) {
			if tk.Label != "" {
				vs = append(vs, tk.Value)
			}
		}
		slices.Sort(vs)
		return vs
	}
	if got := labels(300, 1, 100); !slices.Equal(got, []float64{1, 2, 5, 10, 20, 50, 100}) {
		t.Errorf("roomy panel over 1-100 ms: labels %v, want 1-2-5", got)
	}
	if got := labels(60, 2.8/1.25, legendHeadroom(2.8/1.25, 13*1.25, 0.45)); len(got) < 2 || got[0] >= 10 {
		t.Errorf("short panel over 2.8-13 ms: labels %v, want two or more, one below 10 ms", got)
	}
	for _, h := range []float64{40, 60, 90, 140, 250, 400} {
		for _, r := range [][2]float64{{0.02, 50}, {2.2, 60}, {0.1, 10000}, {3, 200}, {0.5, 2}} {
			got := labels(h, r[0], r[1])
			if len(got) < 2 {
				t.Errorf("%v pt over %v ms: labels %v, want at least two", h, r, got)
			}
			perDecade := h / math.Log10(r[1]/r[0])
			for i := 1; i < len(got); i++ {
				if gap := math.Log10(got[i]/got[i-1]) * perDecade; gap < labelPt && len(got) > 2 {
					t.Errorf("%v pt over %v ms: labels %v and %v are %.1f pt apart", h, r, got[i-1], got[i], gap)
				}
			}
		}
	}
	if defaultTimelineSize(3).H <= defaultTimelineSize(2).H {
		t.Fatalf("a three-panel timeline is no taller than a two-panel one: %v", defaultTimelineSize(3))
	}
}
