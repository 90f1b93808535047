package plots

import (
	"errors"
	"html"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nowait/nowait/stats"
)

// A comparison says under its title what every cell ran: QA's chart of a
// comparison over TLS looked like one over http, and none said the
// target, duration, model or pipelining.
func TestCompareSaysWhatRan(t *testing.T) {
	for _, tc := range []struct {
		setup CompareSetup
		cells []CompareCell
		want  []string
	}{
		{CompareSetup{Target: "http://127.0.0.1:18083/", DurationSec: 2, Model: "closed", Pipeline: 4}, compareCells(),
			[]string{"http://127.0.0.1:18083/", "closed model", "2 s per cell", "pipeline 4"}},
		{CompareSetup{Target: "https://127.0.0.1:8443/", DurationSec: 0.5}, compareCells(),
			[]string{"https://127.0.0.1:8443/", "0.5 s per cell", "TLS, sessions resumed"}},
		{CompareSetup{Target: "https://[::1]:8443/", DurationSec: 3, Model: "hold", EverySec: 0.5, ConnectRate: 200, NoTLSResume: true}, holdCells(),
			[]string{"hold model", "3 s per cell", "a request per connection every 0.5 s", "200 connects/s", "TLS, a full handshake per connect"}},
	} {
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(tc.setup, tc.cells, p, s) })
		var all []string
		for _, tx := range svgTextsAt(svg) {
			all = append(all, html.UnescapeString(tx.s))
		}
		text := strings.Join(all, " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%+v: the chart does not say %q", tc.setup, w)
			}
		}
		if tc.setup.Pipeline == 0 && strings.Contains(text, "pipeline") {
			t.Errorf("%+v: the chart speaks of a pipeline", tc.setup)
		}
	}
}

// faultCells is QA's comparison against a target that answers some
// requests with 500 or 503 and resets others: 20% of attempts fail.
func faultCells() []CompareCell {
	var cells []CompareCell
	for _, mode := range []string{"async", "goroutine"} {
		s := stats.Summary{Mode: mode, Model: "closed", Connections: 20, Responses: 100000, RequestsPerSec: 50000,
			ErrorTotal: 5000, CPUMicrosPerReq: 10}
		s.Failed = s.ErrorTotal + 16000 // 16,000 of the responses were 5xx: 21,000 of 105,000 attempts failed
		s.ErrorRate = float64(s.Failed) / float64(s.Attempts())
		s.Latency.Percentiles = map[string]float64{"99": 1.6}
		rss := 279300.0
		s.RSSBytesPerConn = &rss
		cells = append(cells, CompareCell{Mode: mode, Connections: 20, Summary: s})
	}
	return cells
}

// A comparison whose cells had failed attempts says so, with each mode's
// worst share, and its throughput counts the 2xx/3xx responses alone, as
// its title says: QA's chart of a target failing 20% of attempts showed
// neither, and counted the 5xx as served. Without failures, neither.
func TestCompareShowsFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		cells []CompareCell
		says  []string
	}{
		"faults": {faultCells(), []string{"failed attempts", "async up to 20.00% (20 conns)", "goroutine up to 20.00% (20 conns)", "Throughput, 2xx/3xx only"}},
		"clean":  {compareCells(), nil},
	} {
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, tc.cells, p, s) })
		var all []string
		for _, tx := range svgTextsAt(svg) {
			all = append(all, html.UnescapeString(tx.s))
		}
		text := strings.Join(all, " ") // the lines of a wrapped warning in their order
		for _, w := range tc.says {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the chart does not say %q:\n%s", name, w, text)
			}
		}
		if tc.says == nil && (strings.Contains(text, "failed") || strings.Contains(text, "2xx/3xx")) {
			t.Errorf("%s: the chart speaks of failures:\n%s", name, text)
		}
		throughput := comparePanels(tc.cells)[0]
		for _, c := range tc.cells {
			ok := float64(c.Summary.Responses-(c.Summary.Failed-c.Summary.ErrorTotal)) / float64(max(c.Summary.Responses, 1)) * c.Summary.RequestsPerSec
			if c.Summary.Responses == 0 {
				ok = c.Summary.RequestsPerSec
			}
			if got := throughput.value(c.Summary); math.Abs(got-ok) > 1e-6*ok {
				t.Errorf("%s: %s at %d: throughput %v, want the 2xx/3xx responses/s %v", name, c.Mode, c.Connections, got, ok)
			}
		}
	}
}

// A cell that failed or was cut short has no point on the chart, which
// names it instead: before, it vanished without a word, as if its mode
// had not been asked for at that count. With no cell left to draw there
// is no chart.
func TestCompareNamesCellsNotDrawn(t *testing.T) {
	cells := append(cellsOf("async", "goroutine"),
		CompareCell{Mode: "sync", Connections: 15000, LeftOut: "failed"},
		CompareCell{Mode: "goroutine", Connections: 20000, LeftOut: "cut short"})
	svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, cells, p, s) })
	var all []string
	for _, tx := range svgTextsAt(svg) {
		all = append(all, html.UnescapeString(tx.s))
	}
	text := strings.Join(all, " ")
	if want := "not drawn: sync at 15,000 conns (failed), goroutine at 20,000 conns (cut short)"; !strings.Contains(text, want) {
		t.Errorf("the chart does not say %q:\n%s", want, text)
	}
	if hasLine([]byte(svg), line{"#E69F00", 2}) {
		t.Errorf("sync, which has no cell to draw, has a line")
	}
	err := Compare(CompareSetup{}, cells[len(cells)-2:], filepath.Join(t.TempDir(), "c.png"), Size{})
	if !errors.Is(err, ErrNoData) {
		t.Errorf("no cell to draw: %v, want ErrNoData", err)
	}
}

// The modes' key stands between the chart's title and its panels' titles,
// for every panel at once: in the first panel, as it was, its room above
// the lines was a guess, and a header of two more lines (the setup, the
// failures) shortened the panel until the key sat on the lines.
func TestCompareKeyAboveThePanels(t *testing.T) {
	for name, cells := range map[string][]CompareCell{"closed": compareCells(), "hold": holdCells(), "faults": faultCells()} {
		setup := CompareSetup{Target: "https://127.0.0.1:8443/", DurationSec: 3, Pipeline: 4, EverySec: 1, ConnectRate: 100}
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(setup, cells, p, s) })
		ys := map[string]float64{}
		for _, tx := range svgTextsAt(svg) {
			ys[html.UnescapeString(tx.s)] = tx.y
		}
		var modes []string
		for _, c := range cells {
			if !slices.Contains(modes, c.Mode) {
				modes = append(modes, c.Mode)
			}
		}
		title, ok := ys["nowait: "+strings.Join(modes, " vs ")+" by connection count"]
		if !ok {
			t.Fatalf("%s: no chart title among %v", name, ys)
		}
		for _, p := range comparePanels(cells)[:2] {
			panel, ok := ys[p.title]
			if !ok {
				for tx, y := range ys {
					if strings.HasPrefix(tx, p.title) {
						panel, ok = y, true
					}
				}
			}
			for _, mode := range modes {
				key, found := ys[mode]
				if !ok || !found || (key-title)*(key-panel) >= 0 {
					t.Errorf("%s: the key's %q at y %v (%v), not between the title at %v and the panel title %q at %v (%v)",
						name, mode, key, found, title, p.title, panel, ok)
				}
			}
		}
	}
}

// A hold comparison with goroutine among its modes says that goroutine's
// connect time is the kernel's timing of the handshake, as the README
// does: QA's chart put goroutine's 0.03 ms beside the others' 17 and 187
// ms with no word that they are not timed alike. Without goroutine, or in
// the closed model (no connect-time panel), there is no such note.
func TestCompareSaysGoroutineConnectsAreKernelTimed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []CompareCell
		note  bool
	}{
		{"hold, async and goroutine", holdCells(), true},
		{"hold, async alone", holdCells()[:2], false},
		{"closed", compareCells(), false},
	} {
		svg := drawSVG(t, Size{}, func(p string, s Size) error { return Compare(CompareSetup{}, tc.cells, p, s) })
		var all []string
		for _, tx := range svgTextsAt(svg) {
			all = append(all, html.UnescapeString(tx.s))
		}
		text := strings.Join(all, " ")
		says := strings.Contains(text, "Connect time p99*") && strings.Contains(text, "*goroutine's connect time is the kernel's timing") &&
			strings.Contains(text, "TCP_INFO")
		if says != tc.note || (!tc.note && strings.Contains(text, "TCP_INFO")) {
			t.Errorf("%s: the note on goroutine's connect time: %v, want %v:\n%s", tc.name, says, tc.note, text)
		}
	}
}
