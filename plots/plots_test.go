package plots

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"html"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/nowait/nowait/stats"
)

var preview = flag.String("preview", "", "also render every chart into this directory, to look at")

// synthRun builds a run of secs one-second intervals at about rps
// responses per second, latency exponential around baseUs with rare
// stalls, and errors in the seconds listed.
func synthRun(seed uint64, mode string, secs, rps int, baseUs int64, errSecs ...int) *stats.Result {
	rng := rand.New(rand.NewPCG(seed, 7))
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= secs; s++ {
		n := rps + rng.IntN(rps/10+1) - rps/20
		if s == secs/2 {
			n /= 3 // a dip
		}
		for i := 0; i < n; i++ {
			us := baseUs/2 + int64(rng.ExpFloat64()*float64(baseUs))
			if rng.IntN(2000) == 0 {
				us *= 50
			}
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, us*1000, us*900)
		}
		for _, e := range errSecs {
			if e == s {
				for k := 0; k < 5+s; k++ {
					rec.RecordError(stats.ErrTimeout)
				}
			}
		}
		rec.CloseInterval(int64(s)*1e9, 64)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target = mode, "closed", "http://127.0.0.1:8080/"
	res.Connections = 64
	res.Start = time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	res.Elapsed = time.Duration(secs) * time.Second
	return res
}

// compareCells fakes a sweep of three modes over connection counts.
func compareCells() []CompareCell {
	var cells []CompareCell
	for m, mode := range []string{"async", "sync", "goroutine"} {
		for i, c := range []int{10, 100, 1000, 10000} {
			s := stats.Summary{Mode: mode, Connections: c}
			s.RequestsPerSec = 90000 / float64(m+1) * (1 - float64(i)*0.1*float64(m))
			s.Latency.Percentiles = map[string]float64{"99": float64(c) / s.RequestsPerSec * 1000 * (1 + float64(m))}
			s.CPUMicrosPerReq = 8 + 4*float64(m) + float64(i*m)
			rss := float64(2048 + m*m*4096*(i+1))
			s.RSSBytesPerConn = &rss
			cells = append(cells, CompareCell{Mode: mode, Connections: c, Summary: s})
		}
	}
	return cells
}

type chart struct {
	name  string
	draw  func(path string, size Size) error
	texts []string // must appear in the SVG: axis labels, legend entries, ticks
	lines []line   // data lines that must be drawn
}

// line is a data line expected in a chart's SVG: its stroke colour and
// the least number of points it has.
type line struct {
	stroke    string
	minPoints int
}

func charts() []chart {
	a := synthRun(1, "async", 30, 2000, 800, 12, 13)
	b := synthRun(2, "sync", 30, 1000, 2500)
	c := synthRun(3, "goroutine", 30, 1500, 1200)
	return []chart{
		{"spectrum", func(p string, s Size) error {
			return Spectrum([]Series{SeriesOf("async", a), SeriesOf("sync", b), SeriesOf("goroutine", c)}, p, s)
		}, []string{"Latency by percentile", "Latency (log scale)", "10 ms", "99.9%", "90%", "async: p50", "sync: p50", "goroutine: p50"},
			[]line{{"#0072B2", 400}, {"#E69F00", 400}, {"#009E73", 400}}},
		{"timeline", func(p string, s Size) error { return Timeline(a, p, s) },
			[]string{"Responses/s", "Latency", "1 ms", "Time since start (s)", "p50", "p99", "max", "errors/s (35 in all: timeout 35)"},
			[]line{{"#0072B2", 30}, {"#009E73", 30}, {"#E69F00", 30}, {"#E2B3CD", 30}}},
		{"compare", func(p string, s Size) error {
			return Compare(CompareSetup{Target: "http://127.0.0.1:8080/", DurationSec: 3}, compareCells(), p, s)
		},
			[]string{"Throughput", "p99 latency", "µs/request", "RSS/conn (log)", "RSS added per connection", "Connections (log scale)", "10k", "goroutine"},
			[]line{{"#0072B2", 4}, {"#E69F00", 4}, {"#009E73", 4}}},
	}
}

func TestChartsRenderAsPNGAndSVG(t *testing.T) {
	dir := t.TempDir()
	size := Size{W: 5 * 72, H: 3.5 * 72} // 5 x 3.5 inches
	for _, c := range charts() {
		t.Run(c.name, func(t *testing.T) {
			pngPath := filepath.Join(dir, c.name+".png")
			if err := c.draw(pngPath, size); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(pngPath)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 5*DPI || b.Dy() != 7*DPI/2 {
				t.Fatalf("png is %dx%d, want %dx%d", b.Dx(), b.Dy(), 5*DPI, 7*DPI/2)
			}
			if fi, _ := f.Stat(); fi.Size() < 20_000 {
				t.Fatalf("png of %d bytes is too small to hold a chart", fi.Size())
			}

			svgPath := filepath.Join(dir, c.name+".svg")
			if err := c.draw(svgPath, size); err != nil {
				t.Fatal(err)
			}
			svg, err := os.ReadFile(svgPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte(`width="360pt" height="252pt"`)) {
				t.Fatalf("not an SVG of 5x3.5 in: %.200s", svg)
			}
			for _, w := range c.texts {
				if !bytes.Contains(svg, []byte(html.EscapeString(w))) {
					t.Errorf("svg lacks the text %q", w)
				}
			}
			for _, l := range c.lines {
				if !hasLine(svg, l) {
					t.Errorf("svg has no line of %d points stroked %s", l.minPoints, l.stroke)
				}
			}
		})
	}
}

// A spectrum line runs from the minimum at 0% to the maximum at the last
// value, and never goes down.
func TestSpectrumPoints(t *testing.T) {
	h := synthRun(4, "async", 5, 2000, 500).Latency
	pts := spectrumPoints(h)
	if got, want := pts[0].Y, msOf(stats.Quantile(h, 0)); got != want {
		t.Errorf("starts at %v ms, min is %v", got, want)
	}
	last := pts[len(pts)-1]
	if last.Y != msOf(h.Max()) || math.Abs(last.X-math.Log10(float64(h.TotalCount()))) > 1e-9 {
		t.Errorf("ends at (%v, %v), want (log10 %d, max %v)", last.X, last.Y, h.TotalCount(), msOf(h.Max()))
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Y < pts[i-1].Y || pts[i].X <= pts[i-1].X {
			t.Fatalf("point %d (%v) after (%v)", i, pts[i], pts[i-1])
		}
	}
	if _, err := spectrumPlot(lookFor(Size{}), []Series{{Name: "a", Latency: h}, {Name: "b", Latency: h}}); err != nil {
		t.Fatal(err)
	}
}

// hasLine reports whether svg has a path stroked l.stroke through at least
// l.minPoints points: a series that silently disappears fails it.
func hasLine(svg []byte, l line) bool {
	for _, el := range strings.Split(string(svg), "<path ")[1:] {
		el, _, _ = strings.Cut(el, "/>")
		if strings.Contains(el, "stroke:"+l.stroke+";") && strings.Count(el, "L")+1 >= l.minPoints {
			return true
		}
	}
	return false
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 147114: "147,114", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := stats.GroupDigits(n); got != want {
			t.Errorf("stats.GroupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTimeAndLogTicks(t *testing.T) {
	labels := func(ts []plot.Tick) string {
		var l []string
		for _, tk := range ts {
			if tk.Label != "" {
				l = append(l, tk.Label)
			}
		}
		return strings.Join(l, " ")
	}
	for _, tc := range []struct {
		got, want string
	}{
		{labels(timeTicks(0, 4)), "0 1 2 3 4"},
		{labels(timeTicks(0, 30)), "0 5 10 15 20 25 30"},
		{labels(timeTicks(0, 600)), "0 60 120 180 240 300 360 420 480 540 600"},
		{labels(latencyTicks(0.19, 2000)), "0.2 ms 1 ms 10 ms 100 ms 1 s"},
		{labels(latencyTicks(0.8, 40)), "1 ms 2 ms 5 ms 10 ms 20 ms"},
	} {
		if tc.got != tc.want {
			t.Errorf("ticks %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNinesTicks(t *testing.T) {
	var got []string
	for _, tk := range ninesTicks(0, 5.2) {
		got = append(got, fmt.Sprintf("%.3f=%s", tk.Value, tk.Label))
	}
	want := "0.000= 0.301=50% 1.000=90% 2.000=99% 3.000=99.9% 4.000=99.99% 5.000=99.999%"
	if strings.Join(got, " ") != want {
		t.Fatalf("ticks %v, want %s", got, want)
	}
}

func TestChartErrors(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(6, "async", 3, 100, 500)
	if err := Spectrum([]Series{SeriesOf("a", a)}, filepath.Join(dir, "x.gif"), Size{}); !errors.Is(err, ErrFormat) {
		t.Errorf(".gif: %v, want ErrFormat", err)
	}
	if err := Spectrum([]Series{SeriesOf("empty", stats.NewResult())}, filepath.Join(dir, "x.png"), Size{}); !errors.Is(err, ErrNoData) {
		t.Errorf("empty spectrum: %v, want ErrNoData", err)
	}
	if err := Timeline(stats.NewResult(), filepath.Join(dir, "x.png"), Size{}); !errors.Is(err, ErrNoData) {
		t.Errorf("empty timeline: %v, want ErrNoData", err)
	}
	if err := Compare(CompareSetup{}, nil, filepath.Join(dir, "x.png"), Size{}); !errors.Is(err, ErrNoData) {
		t.Errorf("empty compare: %v, want ErrNoData", err)
	}
}

// TestPreview renders the charts at the default size for a person to look
// at: go test ./plots -run Preview -preview /tmp/plots-preview
func TestPreview(t *testing.T) {
	if *preview == "" {
		t.Skip("no -preview directory")
	}
	if err := os.MkdirAll(*preview, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range charts() {
		for _, ext := range []string{".png", ".svg"} {
			if err := c.draw(filepath.Join(*preview, c.name+ext), Size{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A run shorter than a second gets a time axis in milliseconds with at
// least three labels: QA's runs of 950 µs and 348 µs showed the one tick
// "0", so their length could not be read.
func TestSubSecondTimeAxis(t *testing.T) {
	for _, endNs := range []int64{348e3, 950e3, 70e6, 300e6} {
		res := synthRun(29, "async", 1, 20, 150)
		res.Intervals[0].EndNs = endNs
		tl, err := timelinePlots(lookFor(Size{}), res)
		if err != nil {
			t.Fatal(err)
		}
		p := tl.rows[len(tl.rows)-1][0]
		var labels []string
		for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) < 3 || p.X.Label.Text != "Time since start (ms)" {
			t.Errorf("a run of %v: %q axis labelled %v, want at least 3 labels in ms", time.Duration(endNs), p.X.Label.Text, labels)
		}
		if len(labels) == 0 {
			continue
		}
		if ms, _ := strconv.ParseFloat(labels[len(labels)-1], 64); ms > float64(endNs)/1e6 || ms < 0.75*float64(endNs)/1e6 {
			t.Errorf("a run of %v: last label %v ms, want near its end", time.Duration(endNs), ms)
		}
	}
}
