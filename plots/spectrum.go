package plots

import (
	"math"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/internal/errmsg"
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
	// Responses counts the run's responses, FailedStatus those among
	// them whose status is outside 200-399 (their latency is in
	// Latency), and Errors the attempts that failed with no response
	// (timeouts, resets, refused connects: no latency to draw).
	Responses, FailedStatus, Errors uint64

	model  string // the run's load model, when SeriesOf made it
	about  string // what was run (runDescription), when SeriesOf made it
	target string // what was loaded, when SeriesOf made it
}

// SeriesOf returns the run r as a series named name: its corrected
// latency and saturation, and for an open-model run, or a hold run that
// sent requests (which it times from their intended send too), its service
// time and rate.
func SeriesOf(name string, r *stats.Result) Series {
	s := Series{Name: name, Latency: r.Latency, Saturation: r.Saturation, model: r.Model, about: runDescription(r), target: r.Target,
		Responses: r.Responses, FailedStatus: r.FailedResponses(), Errors: r.ErrorTotal()}
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

// ninesTicks labels the spectrum's x axis at 50%, 90%, 99%, 99.9%, ...,
// with a tick at 0% that has no label: it stood so close to 50% that the
// two ran together, and the axis starting there says it.
func ninesTicks(min, max float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0}, {Value: nines(50), Label: "50%"}}
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
			marks, err := runMarkers(lk, k, pts)
			if err != nil {
				return sp, err
			}
			if marks == nil && len(pts) == 1 {
				marks, err = singleValue(lk, k, pts, j == 1)
				if err != nil {
					return sp, err
				}
			}
			if marks != nil {
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
		return sp, errmsg.Errorf(ErrNoData, "%s", noLatencyIn(runs))
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

// singleValue marks the one point of a line of one value (a run with
// one response), which a line cannot draw: a dot in the k-th colour for
// the latency, a ring around it for the service time.
func singleValue(lk look, k int, pts plotter.XYs, service bool) (*plotter.Scatter, error) {
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(k), Radius: lk.pt(4), Shape: draw.CircleGlyph{}}
	if service {
		sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = lk.pt(6), draw.RingGlyph{}
	}
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
