package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestDurationsKeepThreeDigits: a short run's duration is printed with
// enough digits to agree with its rate (55.5 ms, not 60 ms or 0s).
func TestDurationsKeepThreeDigits(t *testing.T) {
	for _, tc := range []struct {
		sec  float64
		want string
	}{
		{0, "0s"}, {0.0005554, "555µs"}, {0.05554, "55.5ms"}, {0.0032, "3.2ms"},
		{2.0345, "2.03s"}, {30.14, "30.1s"}, {600, "10m0s"},
	} {
		if got := fmtSeconds(tc.sec); got != tc.want {
			t.Errorf("fmtSeconds(%v) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}

// TestSummaryWordsAgreeWithCounts: one of a thing is singular, and every
// count has thousands separators.
func TestSummaryWordsAgreeWithCounts(t *testing.T) {
	s := stats.Summary{Mode: "async", Model: "open", Connections: 1, Loops: 1, Target: "http://127.0.0.1:1/",
		Requests: 5, Responses: 4, InFlightAtEnd: 1, Dropped: 1, OpenConnsAtEnd: 5000, DurationSec: 0.0555}
	var b bytes.Buffer
	printSummary(&b, s)
	out := b.String()
	for _, want := range []string{"1 connection, 1 loop against", "5,000 open at the end", "1 request unanswered", "1 request dropped", "Duration      55.5ms", "no request answered"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"1 connections", "1 requests", "5000", "0.0 µs", "0.0µs"} {
		if strings.Contains(out, bad) {
			t.Errorf("summary says %q:\n%s", bad, out)
		}
	}
}

// TestSummarySaysWhenAllWereOpen: the run report says when the
// connections were first all open at once (all_established_s), as the
// hold report does, or that they never were; not for a run that opened
// none, nor for a closed-model ramp.
func TestSummarySaysWhenAllWereOpen(t *testing.T) {
	base := stats.Summary{Mode: "sync", Model: "closed", Connections: 100, Target: "http://127.0.0.1:1/", DurationSec: 4}
	for _, tc := range []struct {
		name string
		edit func(s *stats.Summary)
		want string
	}{
		{"all_open", func(s *stats.Summary) { s.Connects, s.EstablishedSec = 100, 0.0885 }, "100 opened, 100 open at the end, all open after 88.5ms\n"},
		{"never", func(s *stats.Summary) { s.Connects = 98 }, "98 opened, 98 open at the end, never all open at once\n"},
		{"none_opened", func(s *stats.Summary) {}, "0 opened, 0 open at the end\n"},
		{"ramp", func(s *stats.Summary) {
			s.Connects, s.EstablishedSec = 100, 0.5
			s.Ramp = []stats.RampPoint{{AtSec: 0, Target: 100}, {AtSec: 4, Target: 200}}
		}, "100 opened, 100 open at the end\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.edit(&s)
			s.OpenConnsAtEnd = int(s.Connects)
			var b bytes.Buffer
			printSummary(&b, s)
			if !strings.Contains(b.String(), "Connections   "+tc.want) {
				t.Errorf("summary lacks %q:\n%s", tc.want, b.String())
			}
		})
	}
}

// TestWarmupWordsNameTheirNumbers: the Duration line's warm-up counts say
// which is the requests sent (summary.json's warmup.requests) and which
// the responses, not "a warm-up of N requests" with N the responses.
func TestWarmupWordsNameTheirNumbers(t *testing.T) {
	s := stats.Summary{Mode: "async", Model: "closed", Connections: 4, Target: "http://127.0.0.1:1/", DurationSec: 0,
		WarmupSec: 0.7, Warmup: &stats.WarmupSummary{Requests: 6122, Responses: 6112}, Interrupted: true}
	var b bytes.Buffer
	printSummary(&b, s)
	if want := "(after a 700ms warm-up, not counted: 6,122 requests sent, 6,112 answered)"; !strings.Contains(b.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, b.String())
	}
}

// TestHoldMemoryIsPerConnectionHeld: a hold stopped at 2,496 of the 3,000
// connections asked for gives the memory per connection it held, and says
// how many that was.
func TestHoldMemoryIsPerConnectionHeld(t *testing.T) {
	res := stats.NewResult()
	res.Mode, res.Model, res.Target, res.Connections, res.PeakOpenConns = "async", "hold", "http://127.0.0.1:1/", 3000, 2496
	res.Generator.StartRSSBytes, res.Generator.PeakRSSBytes = 10_000_000, 10_000_000+2496*2100
	res.Interrupted = true
	s := stats.Summarize(res)
	if s.RSSBytesPerConn == nil || *s.RSSBytesPerConn != 2100 {
		t.Errorf("rss_bytes_per_connection %v; want 2100 (5,241,600 B over the 2,496 held)", s.RSSBytesPerConn)
	}
	var b bytes.Buffer
	printSummary(&b, s)
	if want := ": 2.1 KB per held connection (2,496 held at the peak)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("hold summary lacks %q:\n%s", want, b.String())
	}
}

// TestEveryCountIsGrouped: the counts of the hold report's Generator
// line, the Holding line's connect rate, the progress line's open
// connections and the built-in target's tallies have thousands
// separators, as every other count does.
func TestEveryCountIsGrouped(t *testing.T) {
	var b bytes.Buffer
	printHoldSummary(&b, stats.Summary{Mode: "async", Model: "hold", Connections: 8000, Target: "http://127.0.0.1:1/",
		Generator: stats.Generator{PeakThreads: 8008, PeakGoroutines: 8006}})
	lines := []string{b.String()}
	lines = append(lines, describeRun(&engine.Plan{Model: engine.ModelHold, Connections: 15000, ConnectRate: 5000, Target: "http://127.0.0.1:1/"}, "async"))
	lines = append(lines, progressLine(stats.LiveTotals{OpenConns: 1000}, time.Second, 0, 0))
	lines = append(lines, progressLine(stats.LiveTotals{Seconds: 2, Responses: 3000, OpenConns: 1000}, 0, 10*time.Second, 2*time.Second))
	var tb bytes.Buffer
	printTargetStats(&app{stdout: &tb}, target.Stats{Served: 12345, Accepted: 1000, Stalled: 2000, Refusals: 3000,
		Faults: map[target.FaultKind]uint64{target.FaultReset: 4000}})
	lines = append(lines, tb.String())
	out := strings.Join(lines, "\n")
	for _, want := range []string{"8,008 threads, 8,006 goroutines", "connecting at 5,000 per second", "  1,000 open",
		"served 12,345 responses on 1,000 connections", "reset 4,000", "stalled 2,000 responses; refused connections 3,000 times"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestMistypedURLAndFlagsSayWhat: a scheme with one slash (or none, or no
// colon) says so with the URL meant, not "no scheme"; a mistyped flag
// gets the flag it surely meant, as a mistyped scenario key does.
func TestMistypedURLAndFlagsSayWhat(t *testing.T) {
	for _, tc := range []badInput{
		{args: []string{"run", "http:/127.0.0.1:18080/"}, want: []string{`URL "http:/127.0.0.1:18080/" has one slash after http:; want two slashes after the colon, as in http://127.0.0.1:18080/`}},
		{args: []string{"hold", "https:127.0.0.1/"}, want: []string{"has no slashes after https:", "as in https://127.0.0.1/"}},
		{args: []string{"run", "http//127.0.0.1/"}, want: []string{"has no colon after http;", "as in http://127.0.0.1/"}},
		{args: []string{"run", "http://127.0.0.1:1/", "--conections", "10"}, want: []string{"unknown flag --conections; did you mean --connections? (see 'nowait run --help')"}},
		{args: []string{"hold", "http://127.0.0.1:1/", "--conect-rate", "10"}, want: []string{"did you mean --connect-rate?"}},
		{args: []string{"compare", "--mode", "async"}, want: []string{"did you mean --model or --modes?"}},
		{args: []string{"run", "http://127.0.0.1:1/", "--xyzzy"}, want: []string{"unknown flag: --xyzzy (see 'nowait run --help')"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			tc.code = ExitUsage
			checkOneLine(t, tc)
		})
	}
	_, stderr, code := runBin(t, "validate", writeFile(t, "typo.yaml", "target: http:/127.0.0.1:1/\n"))
	if code != ExitUsage || !strings.Contains(stderr, "typo.yaml:1: target: URL \"http:/127.0.0.1:1/\" has one slash after http:") {
		t.Errorf("validate: exit %d, %s", code, stderr)
	}
}
