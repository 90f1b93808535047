package plots

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// contrast returns the WCAG contrast ratio of c against white.
func contrast(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (l + 0.05)
}

// Every colour of the palette shows on white: QA could hardly see the
// seventh, Okabe-Ito's yellow (a contrast of 1.3).
func TestPaletteShowsOnWhite(t *testing.T) {
	for i := range paletteSize {
		if c := contrast(seriesColor(i)); c < 2 {
			t.Errorf("colour %d (%v) has a contrast of %.2f on white, want 2 or more", i, seriesColor(i), c)
		}
	}
}

// strokes returns the stroked paths of svg with at least minPoints
// points, in drawing order, as their colour (with " dashed" when they
// are) and width.
func strokes(svg string, minPoints int) [][2]string {
	re := regexp.MustCompile(`stroke:(#[0-9A-F]{6})[^"]*stroke-width:([0-9.]+)`)
	var out [][2]string
	for _, el := range strings.Split(svg, "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if m := re.FindStringSubmatch(el); m != nil && strings.Count(el, "L")+1 >= minPoints {
			if strings.Contains(el, "stroke-dasharray") {
				m[1] += " dashed"
			}
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}

// Lines that coincide stay visible: QA's p99 lay under max in seconds of
// few responses (and p50 too in a run of one), and the dashes of an open
// run's target rate under the responses that met it. The latency lines
// are drawn from max, widest, to p50, narrowest, and the target over the
// responses.
func TestCoincidingLinesStayVisible(t *testing.T) {
	res := oneResponse(146)
	res.Model, res.RatePerSec = "open", 2873
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })
	var order []string
	widths := map[string]float64{}
	for _, s := range strokes(svg, 2) {
		order = append(order, s[0])
		widths[s[0]], _ = strconv.ParseFloat(s[1], 64)
	}
	pos := func(stroke string) int {
		for i, s := range order {
			if s == stroke {
				return i
			}
		}
		t.Fatalf("no line stroked %s among %v", stroke, order)
		return 0
	}
	hex := func(c color.Color) string {
		r, g, b, _ := c.RGBA()
		return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
	}
	maxLine, p99, p50 := hex(maxBandColor()), hex(seriesColor(1)), hex(seriesColor(2))
	if !(pos(maxLine) < pos(p99) && pos(p99) < pos(p50)) || !(widths[maxLine] > widths[p99] && widths[p99] > widths[p50]) {
		t.Errorf("latency lines drawn in the order %v with widths %v: want max, p99, p50, each narrower", order, widths)
	}
	if pos("#0072B2") > pos("#000000 dashed") {
		t.Errorf("the target rate is drawn before the responses/s (%v): under them", order)
	}
}

// An SVG chart names fonts a browser without Liberation Sans has, and
// the generic sans-serif last: QA's SVGs named Liberation Sans alone, so
// macOS and Windows drew them in a serif font.
func TestSVGFontsFallBackToSansSerif(t *testing.T) {
	for _, c := range charts() {
		svg := drawSVG(t, Size{}, c.draw)
		fonts := regexp.MustCompile(`font-family:([^;"]*)`).FindAllStringSubmatch(svg, -1)
		if len(fonts) == 0 {
			t.Errorf("%s: no font named", c.name)
		}
		for _, f := range fonts {
			if !strings.HasSuffix(f[1], ", sans-serif") || !strings.Contains(f[1], "Arial") {
				t.Errorf("%s: font-family %q, want Arial and sans-serif after it", c.name, f[1])
				break
			}
		}
	}
}

// A timeline's panels share one time axis, labelled once at the bottom,
// and a short panel's linear axis keeps only the labels that stand apart:
// with four panels (QA's r-refuse at --size 6x4) the labels of the
// connections axis ran into each other.
func TestShortPanelsKeepTheirLabelsApart(t *testing.T) {
	lt := newLinearTicker(11)
	lt.heightPt = 40
	var at []float64
	for _, tk := range lt.Ticks(0, 11000) {
		if tk.Label != "" {
			at = append(at, tk.Value)
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := 40 * (at[i] - at[i-1]) / 11000; gap < 1.5*11 {
			t.Errorf("labels at %v on 40 pt: %v and %v are %.1f pt apart", at, at[i-1], at[i], gap)
		}
	}
	if len(at) < 2 || at[0] != 0 {
		t.Errorf("labels at %v: want 0 and at least one more", at)
	}

	svg := drawSVG(t, Size{W: 6 * vg.Inch, H: 4 * vg.Inch}, func(p string, s Size) error { return Timeline(churnRun(), p, s) })
	n := 0
	for _, tx := range svgTextsAt(svg) {
		if tx.s == "3" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the 3 s tick labelled %d times on a timeline of four panels, want once", n)
	}
}
