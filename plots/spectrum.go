package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// Series is one run of a spectrum: a name for the legend, its corrected
// latency histogram in microseconds, as stats records it, and for an
// open-model run (or a hold run that sent requests) its service time and
// whether the generator kept up.
type Series struct {
	Name    string
	Latency *hdrhistogram.Histogram
	// Service is the service time from the actual write (open model, and
	// hold with requests): drawn dashed beside Latency, which such a run
	// measures from the intended send time. Nil or empty draws no second
	// line.
	Service *hdrhistogram.Histogram
	// RatePerSec is the open model's target rate, 0 for other models.
	RatePerSec float64
	// Saturation says whether the generator fell behind its schedule.
	Saturation stats.Saturation

	model string // the run's load model, when SeriesOf made it
}

// SeriesOf returns the run r as a series named name: its corrected
// latency and saturation, and for an open-model run, or a hold run that
// sent requests (which it times from their intended send too), its service
// time and rate.
func SeriesOf(name string, r *stats.Result) Series {
	s := Series{Name: name, Latency: r.Latency, Saturation: r.Saturation, model: r.Model}
	if r.Model == "open" || r.Model == "hold" {
		s.Service, s.RatePerSec = r.Service, r.RatePerSec
	}
	return s
}

// open reports whether s has a service time to draw beside its latency
// from the intended send time (an open-model run, or a hold run with
// requests).
func (s Series) open() bool { return recorded(s.Service) }

// recorded reports whether h holds any value.
func recorded(h *hdrhistogram.Histogram) bool { return h != nil && h.TotalCount() > 0 }

// nines maps a percentile p (0 to 100) to the spectrum's x axis:
//
//	x = -log10(1 - p/100)    0% -> 0, 90% -> 1, 99% -> 2, 99.9% -> 3, ...
func nines(p float64) float64 { return -math.Log10(1 - p/100) }

// percentileAt is the inverse of nines.
func percentileAt(x float64) float64 { return 100 * (1 - math.Pow(10, -x)) }

// spectrumStep is the x resolution of a spectrum line, in nines.
const spectrumStep = 0.01

// spectrumPoints samples h along the nines axis up to its last recorded
// value: x runs to log10(count), where 1 - p is one value in count.
func spectrumPoints(h *hdrhistogram.Histogram) plotter.XYs {
	n := h.TotalCount()
	if n == 0 {
		return nil
	}
	xMax := math.Log10(float64(n))
	pts := make(plotter.XYs, 0, int(xMax/spectrumStep)+2)
	for x := 0.0; x < xMax; x += spectrumStep {
		us := stats.Quantile(h, percentileAt(x))
		pts = append(pts, plotter.XY{X: x, Y: msOf(us)})
	}
	return append(pts, plotter.XY{X: xMax, Y: msOf(h.Max())})
}

// msOf converts microseconds to milliseconds, never below 1 µs so a log
// axis can draw it.
func msOf(us int64) float64 { return float64(max(us, stats.LowestUs)) / 1000 }

// ninesTicks labels the spectrum's x axis at 0%, 50%, 90%, 99%, 99.9%, ...
func ninesTicks(min, max float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0%"}, {Value: nines(50), Label: "50%"}}
	for i := 1; float64(i) <= max+1e-9; i++ {
		label := strconv.FormatFloat(percentileAt(float64(i)), 'f', i-2, 64) + "%"
		if i == 1 {
			label = "90%"
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	var in []plot.Tick
	for _, t := range ticks {
		if t.Value >= min-1e-9 && t.Value <= max+1e-9 {
			in = append(in, t)
		}
	}
	return in
}

// Spectrum draws the latency percentile spectrum of one or more runs to
// path (.png or .svg): x in nines from 0% to the last recorded value, y the
// latency in ms on a log scale, one line per run with a legend. An
// open-model run (or a hold run with requests) also gets its service time
// as a dashed line of the same colour, and a saturated generator a warning
// above the chart. Runs beyond the palette's colours carry markers. The
// legend sits above the plot, in columns when there are many runs, and
// the latency axis ends just above the highest line; at the default size
// the chart grows taller with a legend of more than four rows, so that
// the plot keeps its size. Runs with no latency are left out; with none left it returns
// ErrNoData.
func Spectrum(runs []Series, path string, size Size) error {
	lk := lookFor(size)
	sp, err := spectrumPlot(lk, runs)
	if err != nil {
		return err
	}
	h := spectrumHeader(runs)
	lay, size := spectrumLayout(lk, sp, size)
	return render(path, size, func(dc draw.Canvas) {
		drawWithLegend(drawHeader(dc, lk, h), lk, sp.plot, lay, sp.legend, sp.yLo, sp.yHi)
	})
}

// spectrumLayout lays out the legend of sp on a chart of size and
// returns it with the size to draw at: a chart of default size (the zero
// Size) grows taller with a legend of more than a few rows, so that the
// plot keeps its size; a size asked for is kept.
func spectrumLayout(lk look, sp spectrum, size Size) (legendLayout, Size) {
	full := size.orDefault()
	lay := layoutLegend(lk, sp.legend, full.W, full.H)
	if size.W <= 0 || size.H <= 0 {
		full.H = grownHeight(lay)
	}
	return lay, full
}

// spectrumHeader says how to read the two lines of a run timed from the
// intended send (open model, hold with requests), and beside them what
// the single line of any other run is, says which runs carry markers when
// there are more runs than colours, and warns when a generator was
// saturated.
func spectrumHeader(runs []Series) header {
	h := header{title: "Latency by percentile"}
	kinds := map[string]bool{}   // runs with two lines, by kind
	singles := map[string]bool{} // runs with one line, by model
	var saturated []string
	for _, s := range runs {
		switch {
		case s.open():
			kinds[s.kind()] = true
		case recorded(s.Latency):
			singles[s.model] = true
		}
		if s.Saturation.Saturated {
			saturated = append(saturated, s.Name)
		}
	}
	var notes []string
	if len(kinds) > 0 {
		who := "open model"
		switch {
		case kinds["hold"] && kinds["open"]:
			who = "open model and hold runs with requests"
		case kinds["hold"]:
			who = "hold with requests"
		}
		notes = append(notes, who+": solid lines are latency from the intended send time (coordinated omission corrected), dashed lines the service time from the actual write")
		// Why: beside those, a reader would take every solid line for a
		// latency from the intended send.
		notes = append(notes, singleLineNotes(singles)...)
	}
	if n := drawable(runs); n > paletteSize {
		notes = append(notes, fmt.Sprintf("%d runs share %d colours: runs after the %s carry markers", n, paletteSize, ordinal(paletteSize)))
	}
	h.subtitle = strings.Join(notes, "; ")
	if len(saturated) > 0 {
		h.warning = saturationWarning(runs, saturated)
	}
	return h
}

// singleLineNotes says what the one line of a run without a service
// time is, for each model among models: a closed-model run's response
// time is timed from the actual write.
func singleLineNotes(models map[string]bool) []string {
	var notes []string
	if models["closed"] {
		notes = append(notes, "closed model: one solid line, the response time from the actual write")
	}
	if models["open"] || models["hold"] {
		notes = append(notes, "runs saved without a service time: one solid line, the latency from the intended send time")
	}
	if models[""] {
		notes = append(notes, "other runs: one solid line, their latency")
	}
	return notes
}

// kind is the model of a run with two lines, for the subtitle that
// explains them: hold, or open.
func (s Series) kind() string {
	if s.model == "hold" {
		return "hold"
	}
	return "open"
}

// drawable counts the runs that have latency to draw.
func drawable(runs []Series) int {
	n := 0
	for _, s := range runs {
		if recorded(s.Latency) {
			n++
		}
	}
	return n
}

// ordinal spells 7 as "7th".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// saturationWarning names the saturated runs and, for one, its reason.
func saturationWarning(runs []Series, names []string) string {
	w := "generator saturated (" + strings.Join(names, ", ") + "): latency includes the generator's own delay"
	if len(runs) == 1 && runs[0].Saturation.Reason != "" {
		w = "generator saturated: " + runs[0].Saturation.Reason
	}
	return w
}

// spectrum is a spectrum's plot, its legend entries (drawn by
// drawWithLegend, which places them) and the range of its y axis.
type spectrum struct {
	plot     *plot.Plot
	legend   []legendEntry
	yLo, yHi float64
}

// spectrumPlot draws the lines of every run that has latency: the k-th in
// the k-th colour, solid for latency and dashed for service time, with
// markers of a shape per round of the palette from the second round on.
func spectrumPlot(lk look, runs []Series) (spectrum, error) {
	sp := spectrum{plot: newPlot(lk, "", "Percentile (log scale of 1 / (1 - p))", "Latency (log scale)")}
	p := sp.plot
	xMax, yLo, yHi := 0.0, math.Inf(1), 0.0
	k := 0 // runs drawn so far
	for _, s := range runs {
		if !recorded(s.Latency) {
			continue
		}
		hists := []*hdrhistogram.Histogram{s.Latency}
		if s.open() {
			hists = append(hists, s.Service)
		}
		for j, h := range hists {
			pts := spectrumPoints(h)
			l, err := plotter.NewLine(pts)
			if err != nil {
				return sp, err
			}
			l.Color = seriesColor(k)
			l.Width = lk.pt(2)
			if j == 1 {
				l.Dashes = []vg.Length{lk.pt(6), lk.pt(3)}
			}
			p.Add(l)
			thumbs := []plot.Thumbnailer{l}
			if marks, err := runMarkers(lk, k, pts); err != nil {
				return sp, err
			} else if marks != nil {
				p.Add(marks)
				thumbs = append(thumbs, marks)
			}
			sp.legend = append(sp.legend, legendEntry{texts: spectrumLegends(s, j == 1), thumbs: thumbs})
			xMax = max(xMax, pts[len(pts)-1].X)
			for _, pt := range pts {
				yLo, yHi = min(yLo, pt.Y), max(yHi, pt.Y)
			}
		}
		k++
	}
	if yHi == 0 {
		return sp, errorf(ErrNoData, "%s", noLatencyIn(runs))
	}
	p.X.Min, p.X.Max = 0, max(xMax, 1)
	p.X.Tick.Marker = plot.TickerFunc(ninesTicks)
	p.Y.Scale = plot.LogScale{}
	sp.yLo, sp.yHi = logRange(yLo, yHi)
	p.Y.Min, p.Y.Max = sp.yLo, sp.yHi
	p.Y.Tick.Marker = newLatencyTicker(p.Y.Tick.Label.Font.Size, yLo)
	return sp, nil
}

// runMarkers returns the markers that tell the k-th run apart from the
// runs that share its colour: none in the palette's first round, then a
// shape per round, every 0.4 nines along the line (staggered by run so
// that lines that coincide still show both). Nil when k needs none.
func runMarkers(lk look, k int, pts plotter.XYs) (*plotter.Scatter, error) {
	round := k / paletteSize
	if round == 0 {
		return nil, nil
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}
	var marks plotter.XYs
	const every = 40 // points, of spectrumStep nines each
	for i := (k * 7) % every; i < len(pts); i += every {
		marks = append(marks, pts[i])
	}
	if len(marks) == 0 {
		marks = append(marks, pts[len(pts)-1])
	}
	sc, err := plotter.NewScatter(marks)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(k), Radius: lk.pt(3.5), Shape: shapes[(round-1)%len(shapes)]}
	return sc, nil
}

// noLatencyIn says which runs had no latency: "run rnone has no responses".
func noLatencyIn(runs []Series) string {
	names := make([]string, len(runs))
	for i, s := range runs {
		names[i] = s.Name
	}
	if len(runs) == 1 {
		return "run " + names[0] + " has no responses, so no latency to plot"
	}
	return "none of the runs " + strings.Join(names, ", ") + " has responses, so no latency to plot"
}

// spectrumLegends names a line with its headline percentiles, the
// latency with its count or the service time of a run that has both, in
// forms from the fullest to the shortest: with the count of responses,
// without it, and with the kind of line said in a word (the subtitle says
// the rest).
func spectrumLegends(s Series, service bool) []string {
	h, what, short := s.Latency, "", ""
	if s.open() {
		what = " from intended send"
	}
	if service {
		h, what, short = s.Service, " service time", " service"
	}
	nums := fmt.Sprintf(": p50 %s, p99 %s, max %s ms",
		fmtMs(msOf(stats.Quantile(h, 50))), fmtMs(msOf(stats.Quantile(h, 99))), fmtMs(msOf(h.Max())))
	forms := []string{s.Name + what + nums, s.Name + short + nums}
	if !service {
		forms = append([]string{s.Name + what + nums + " (" + stats.GroupDigits(h.TotalCount()) + " responses)"}, forms...)
	}
	return forms
}

// fmtMs formats milliseconds to about three significant digits: 0.123,
// 1.23, 12.3, 123, 1234.
func fmtMs(ms float64) string {
	switch {
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case ms >= 1:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}
