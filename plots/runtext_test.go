package plots

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The timeline says what was run as the report does, pipelining and
// warm-up included, and times its axis from the end of the warm-up:
// QA's r-pipe (--pipeline 16) read "…, 50 connections" alone, and r-warm
// (--warmup 1s) did not say that its first second was not the run's.
func TestTimelineSaysPipelineAndWarmup(t *testing.T) {
	res := synthRun(26, "async", 3, 500, 800)
	res.Pipeline, res.Warmup = 16, 1500*time.Millisecond
	texts := svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	var subtitle string
	for tx := range texts {
		if strings.HasPrefix(tx, res.Target) {
			subtitle = tx
		}
	}
	for _, want := range []string{"pipeline " + strconv.Itoa(res.Pipeline), "after a 1.5s warm-up (not shown)"} {
		if !strings.Contains(subtitle, want) {
			t.Errorf("subtitle %q lacks %q", subtitle, want)
		}
	}
	if _, ok := texts["Time since the warm-up ended (s)"]; !ok {
		t.Errorf("no time axis from the end of the warm-up in %v", texts)
	}

	res.Pipeline, res.Warmup = 1, 0
	texts = svgTexts(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) }))
	for tx := range texts {
		if strings.Contains(tx, "pipeline") || strings.Contains(tx, "warm-up") {
			t.Errorf("a run without pipelining or warm-up says %q", tx)
		}
	}
}

// A spectrum says what was run, as the timeline does: QA's spectra were
// titled "Latency by percentile" alone, without target, connections or
// pipelining. Runs that differ share their target, when they do, and
// say nothing in common when they do not.
func TestSpectrumSaysWhatWasRun(t *testing.T) {
	res := synthRun(27, "async", 3, 500, 800)
	res.Pipeline = 16
	texts := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{SeriesOf("r", res)}, p, s) }))
	if want := runDescription(res); !strings.Contains(texts, want) || !strings.Contains(want, "pipeline 16") {
		t.Errorf("spectrum lacks %q: %s", want, texts)
	}
	other := synthRun(28, "sync", 3, 500, 800)
	if got := spectrumHeader([]Series{SeriesOf("a", res), SeriesOf("b", other)}).subtitle; got != res.Target {
		t.Errorf("two runs against one target: subtitle %q, want the target", got)
	}
	other.Target = "http://127.0.0.2:8080/"
	if got := spectrumHeader([]Series{SeriesOf("a", res), SeriesOf("b", other)}).subtitle; got != "" {
		t.Errorf("two runs against two targets: subtitle %q, want none", got)
	}
}

// One of a thing is singular, and the spectrum's axis has no "0%" label
// crowding its "50%": QA's r-n1 read "1 connections" and "(1 responses)",
// and every spectrum "0%" almost touching "50%".
func TestOneIsSingular(t *testing.T) {
	res := oneResponse(146)
	texts := svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Timeline(res, p, s) })) +
		svgPlainText(drawSVG(t, Size{}, func(p string, s Size) error { return Spectrum([]Series{SeriesOf("n1", res)}, p, s) }))
	for _, want := range []string{"1 connection ", "(1 response)"} {
		if !strings.Contains(texts, want) {
			t.Errorf("charts lack %q: %s", want, texts)
		}
	}
	for _, bad := range []string{"1 connections", "1 responses", " 0% "} {
		if strings.Contains(texts, bad) {
			t.Errorf("charts say %q: %s", bad, texts)
		}
	}
}
