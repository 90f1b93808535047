package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// The compare tables write every count alike, with thousands
// separators: "conns 2,000" beside "established 2,000", not "2000".
func TestCompareTablesFormatCountsAlike(t *testing.T) {
	s := &stats.Summary{Model: "hold", Connections: 2000, PeakOpenConns: 2000, RequestsPerSec: 1000}
	for _, hold := range []bool{true, false} {
		var b bytes.Buffer
		tab := newCompareTable(&b, true, hold, false)
		tab.row(CompareCell{Mode: "async", Connections: 2000, Summary: s})
		tab.row(CompareCell{Mode: "sync", Connections: 15000, Error: "refused"})
		lines := strings.Split(b.String(), "\n")
		if f := strings.Fields(lines[1]); len(f) < 3 || f[1] != "2,000" || (hold && f[2] != "2,000") {
			t.Errorf("hold %v: row %q; want conns 2,000 (and established 2,000)", hold, lines[1])
		}
		if !strings.HasPrefix(lines[2], "sync      15,000  failed: refused") {
			t.Errorf("hold %v: failed row %q; want conns 15,000", hold, lines[2])
		}
		if strings.Contains(b.String(), "2000") {
			t.Errorf("hold %v: a count without its separator:\n%s", hold, b.String())
		}
	}
}

// compare --out says every file it wrote: compare.json and the chart's
// PNG and SVG, which are there.
func TestCompareSaysEveryFileItWrote(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	out := filepath.Join(t.TempDir(), "cmp")
	stdout, stderr, code := runBin(t, "compare", srv.URL(), "--modes", "async", "--connections", "2", "-d", "200ms", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var files []string
	for _, n := range []string{"compare.json", "compare.png", "compare.svg"} {
		files = append(files, filepath.Join(out, n))
		if _, err := os.Stat(filepath.Join(out, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if want := "\nWrote " + strings.Join(files, ", ") + "\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("stdout ends %q; want %q", stdout[max(0, len(stdout)-200):], want)
	}
}

// compare --model hold without --every, as the README and --help show it,
// holds the connections and sends nothing: each cell's child is not given
// an --every 0s it would refuse. With --every the cells send requests.
func TestCompareHoldWithoutEvery(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	for _, tc := range []struct {
		every    []string
		requests bool
	}{{nil, false}, {[]string{"--every", "100ms", "--connect-rate", "1000"}, true}} {
		out := filepath.Join(t.TempDir(), "cmp")
		served := srv.Served()
		args := append([]string{"compare", srv.URL(), "--model", "hold", "--modes", "async,goroutine",
			"--connections", "3,5", "-d", "500ms", "--pause", "0s", "--out", out}, tc.every...)
		stdout, stderr, code := runBin(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", tc.every, code, stdout, stderr)
		}
		r := readCompare(t, out)
		if len(r.Cells) != 4 {
			t.Fatalf("%v: %d cells, want 4", tc.every, len(r.Cells))
		}
		for _, c := range r.Cells {
			if c.Error != "" || c.Summary == nil {
				t.Fatalf("%v: cell %s/%d failed: %q", tc.every, c.Mode, c.Connections, c.Error)
			}
			s := c.Summary
			if s.Model != "hold" || s.PeakOpenConns != c.Connections || (s.Requests > 0) != tc.requests {
				t.Errorf("%v: cell %s/%d: model %s, peak open %d, %d requests; want hold, %d open, requests %v",
					tc.every, c.Mode, c.Connections, s.Model, s.PeakOpenConns, s.Requests, c.Connections, tc.requests)
			}
		}
		if got := srv.Served() - served; (got > 0) != tc.requests {
			t.Errorf("%v: the target served %d requests; want some %v", tc.every, got, tc.requests)
		}
	}
}

// compare.json and the chart say what every cell ran: the model, the
// pipelining and, for hold, the request interval and connect rate; the
// chart names the target and the duration too.
func TestCompareSaysItsSetup(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	for _, tc := range []struct {
		args []string
		want CompareReport
		says []string
	}{
		{[]string{"--pipeline", "2", "-d", "300ms"}, CompareReport{Model: "closed", Pipeline: 2, Duration: 0.3},
			[]string{"closed model", "0.3 s per cell", "pipeline 2"}},
		{[]string{"--model", "hold", "--every", "100ms", "--connect-rate", "500", "-d", "400ms"},
			CompareReport{Model: "hold", EverySec: 0.1, ConnectRate: 500, Duration: 0.4},
			[]string{"hold model", "0.4 s per cell", "every 0.1 s", "500 connects/s"}},
	} {
		out := filepath.Join(t.TempDir(), "cmp")
		args := append([]string{"compare", srv.URL(), "--modes", "async", "--connections", "2", "--pause", "0s", "--out", out}, tc.args...)
		stdout, stderr, code := runBin(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", tc.args, code, stdout, stderr)
		}
		r := readCompare(t, out)
		if r.Model != tc.want.Model || r.Pipeline != tc.want.Pipeline || r.EverySec != tc.want.EverySec ||
			r.ConnectRate != tc.want.ConnectRate || r.Duration != tc.want.Duration {
			t.Errorf("%v: compare.json says model %q, pipeline %d, every %v s, %v connects/s, %v s; want %q, %d, %v, %v, %v",
				tc.args, r.Model, r.Pipeline, r.EverySec, r.ConnectRate, r.Duration,
				tc.want.Model, tc.want.Pipeline, tc.want.EverySec, tc.want.ConnectRate, tc.want.Duration)
		}
		svg, err := os.ReadFile(filepath.Join(out, "compare.svg"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(tc.says, srv.URL()) {
			if !strings.Contains(string(svg), w) {
				t.Errorf("%v: compare.svg does not say %q", tc.args, w)
			}
		}
	}
}
