// Package plots draws nowait's charts with gonum/plot, as PNG or SVG by
// the file's extension: the latency percentile spectrum, the timeline of
// one run, and the comparison of modes against connection count. It reads
// only stats types.
package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// Size is a chart's size; the zero Size means DefaultWidth by DefaultHeight.
type Size struct {
	W, H vg.Length
}

// The default chart size and the resolution of PNG charts: 8 x 5 inches
// at 150 dots per inch is 1200 x 750 pixels.
const (
	DefaultWidth  = 8 * vg.Inch
	DefaultHeight = 5 * vg.Inch
	DPI           = 150
)

// Font sizes, in points, chosen to read at a glance at the default size;
// a chart of another size scales them with its canvas (see look).
const (
	titlePt    = 15
	subtitlePt = 11
	labelPt    = 12
	tickPt     = 11
	legendPt   = 11
)

// MinWidthInches and MinHeightInches are the smallest chart that draws
// cleanly: below them titles, legends and tick labels no longer fit.
const (
	MinWidthInches  = 4
	MinHeightInches = 3
)

// look is how one chart is drawn at its size: fonts and strokes scale with
// the canvas, so a 4 x 3 inch chart keeps the proportions of an 8 x 5.
type look struct {
	scale vg.Length // 1 at the default size
}

// lookFor returns the look of a chart of size s: the scale is the smaller
// of the width and height ratios to the default size, kept within 0.6 and 3
// so that text stays legible.
func lookFor(s Size) look {
	s = s.orDefault()
	k := min(s.W/DefaultWidth, s.H/DefaultHeight)
	return look{scale: min(max(k, 0.6), 3)}
}

// font returns the chart's sans font at pt points at the default size.
func (lk look) font(pt vg.Length, bold bool) font.Font { return sans(pt*lk.scale, bold) }

// pt scales a length given in points at the default size.
func (lk look) pt(v float64) vg.Length { return vg.Points(v) * lk.scale }

func (s Size) orDefault() Size {
	if s.W <= 0 || s.H <= 0 {
		return Size{DefaultWidth, DefaultHeight}
	}
	return s
}

// Pixels returns the size in pixels of a PNG chart of size s.
func (s Size) Pixels() (w, h int) {
	s = s.orDefault()
	return int(math.Round(float64(s.W/vg.Inch) * DPI)), int(math.Round(float64(s.H/vg.Inch) * DPI))
}

// render draws a chart with paint onto a canvas of the format that path's
// extension names and writes it atomically, creating its directory if
// need be.
func render(path string, size Size, paint func(draw.Canvas)) error {
	size = size.orDefault()
	var c vg.CanvasWriterTo
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(size.W, size.H), vgimg.UseDPI(DPI))}
	case ".svg":
		c = vgsvg.New(size.W, size.H)
	default:
		return errmsg.Errorf(ErrFormat, "%s: nowait draws charts as .png or .svg; want a name such as %s", path, strings.TrimSuffix(path, filepath.Ext(path))+".png")
	}
	dc := draw.New(c)
	// Why: tiles of several plots leave gaps that are transparent in SVG.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	paint(dc)
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errmsg.New(fmt.Sprintf("cannot write %s: its directory cannot be created: %v", path, err), stats.ErrWriteFile)
		}
	}
	return stats.WriteFileAtomic(path, func(w io.Writer) error {
		if _, svg := c.(*vgsvg.Canvas); svg {
			return writeSVG(w, c)
		}
		_, err := c.WriteTo(w)
		return err
	})
}

// svgFonts is the font list an SVG chart names: the font its text was
// laid out with, then fonts of about its widths that other systems have,
// then the generic family. Why: vgsvg names Liberation Sans alone, and a
// browser without it (macOS, Windows) drew the text in its default serif.
const svgFonts = "font-family:'Liberation Sans', Arial, Helvetica, sans-serif;"

// writeSVG writes the SVG canvas c to w with svgFonts for its font.
func writeSVG(w io.Writer, c vg.CanvasWriterTo) error {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return err
	}
	_, err := w.Write(bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)))
	return err
}

// sans returns the Liberation Sans font at pt points, bold if asked.
func sans(pt vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: pt}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// newPlot returns a plot with nowait's fonts at lk's scale, a light grid,
// and the given title and axis labels.
func newPlot(lk look, title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = lk.font(titlePt, true)
	p.Title.Padding = lk.pt(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = lk.font(labelPt, false)
		a.Tick.Label.Font = lk.font(tickPt, false)
		a.Padding = lk.pt(2)
		a.Tick.Length = lk.pt(8)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = lk.font(legendPt, false)
	p.Legend.ThumbnailWidth = lk.pt(24)
	p.Legend.Padding = lk.pt(2)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	return p
}

// paletteSize is the number of colours seriesColor cycles through.
const paletteSize = 7

// seriesColor returns the i-th colour of the Okabe-Ito palette, which
// stays distinguishable for colour-blind readers, with a brown for its
// yellow, which hardly showed on white; after paletteSize the colours
// repeat.
func seriesColor(i int) color.Color {
	pal := [...]color.RGBA{
		{0x00, 0x72, 0xb2, 0xff}, // blue
		{0xe6, 0x9f, 0x00, 0xff}, // orange
		{0x00, 0x9e, 0x73, 0xff}, // green
		{0xcc, 0x79, 0xa7, 0xff}, // purple
		{0x56, 0xb4, 0xe9, 0xff}, // sky
		{0x00, 0x00, 0x00, 0xff}, // black
		{0x8c, 0x51, 0x0a, 0xff}, // brown: Okabe-Ito's yellow was too pale on white
	}
	return pal[i%paletteSize]
}

// errorColor is the colour of errors on every chart.
func errorColor() color.Color { return color.RGBA{0xd5, 0x5e, 0x00, 0xff} } // vermilion

// failedColor is the colour of responses with a failed status (outside
// 200-399): a darker red than errors, drawn as a line where errors are
// marked.
func failedColor() color.Color { return color.RGBA{0xa5, 0x00, 0x26, 0xff} } // crimson

// maxBandColor is the colour of a timeline's max latency, a wide band
// under p99: the palette's purple at 57% on white, light enough not to
// outweigh the lines drawn over it.
func maxBandColor() color.Color { return color.RGBA{0xe2, 0xb3, 0xcd, 0xff} }

// formatNum formats a tick value plainly, thousands as k: 0.002, 1, 250,
// 2k, 10k, 1.5k.
func formatNum(v float64) string {
	if math.Abs(v) >= 1000 && math.Mod(v, 100) == 0 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// latencyTicks are logTicks labelled with their unit: 0.5 ms, 20 ms, 2 s.
// The unit on each label keeps a log latency axis readable without a
// long axis title.
func latencyTicks(min, max float64) []plot.Tick {
	ticks := logTicks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = latencyLabel(ticks[i].Value)
		}
	}
	return ticks
}

// logTicks marks a log axis at 1, 2 and 5 times powers of ten, labelled
// densely on a narrow range and only at the powers on a wide one.
func logTicks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return nil
	}
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	mults := []float64{1, 2, 5}
	if hi-lo <= 1 {
		mults = []float64{1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		base := math.Pow(10, e)
		for _, m := range mults {
			v := m * base
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || hi-lo <= 4 {
				t.Label = formatNum(roundSig(v))
			}
			ticks = append(ticks, t)
		}
	}
	// Why: on a wide range the data may start above the lowest power of
	// ten; label the lowest tick so the bottom of the axis reads.
	if len(ticks) > 0 && ticks[0].Label == "" {
		ticks[0].Label = formatNum(roundSig(ticks[0].Value))
	}
	return ticks
}

// timeTicks labels a time axis in seconds at a round step (0.01 to 0.5 s
// for a run shorter than two seconds, else 1, 2, 5, 10, 15, 30, 60 s,
// ...) that gives at most about ten labels.
func timeTicks(min, max float64) []plot.Tick {
	span := max - min
	if span <= 0 {
		return nil
	}
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200}
	if span < 2 {
		steps = append([]float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, steps...)
	}
	step := 1.0
	for _, s := range steps {
		step = s
		if span/s <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(min/step - 1e-9); i*step <= max+1e-9; i++ {
		v := roundSig(i * step)
		if v == 0 {
			v = 0 // not -0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}

// msTimeTicks marks a time axis in seconds, for a run shorter than a
// second, with labels in milliseconds at 1, 2 or 5 times a power of ten:
// the smallest such step that gives at most ten labels, so at least four
// (0 0.1 0.2 … 0.9 for a run of 950 µs; 0 50 100 … 300 for 300 ms).
func msTimeTicks(min, max float64) []plot.Tick {
	lo, hi := min*1000, max*1000
	if hi <= lo {
		return nil
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/10)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(m*step) <= 10 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+step*1e-9; i++ {
		ms := roundSig(i * step)
		if ms == 0 {
			ms = 0 // not -0
		}
		ticks = append(ticks, plot.Tick{Value: ms / 1000, Label: strconv.FormatFloat(ms, 'f', -1, 64)})
	}
	return ticks
}

// roundSig removes float noise from m * 10^e: 0.30000000000000004 -> 0.3.
func roundSig(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return f
}

// logRange returns the padded bounds of a log axis over positive values
// from lo to hi.
func logRange(lo, hi float64) (float64, float64) {
	if lo <= 0 {
		lo = hi / 1000
	}
	if hi <= lo { // one value: in the middle of a decade, not at the bottom
		lo, hi = lo/math.Sqrt(10), lo*math.Sqrt(10)
	}
	return lo / 1.25, hi * 1.25
}
