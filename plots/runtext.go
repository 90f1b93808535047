package plots

import (
	"math"
	"strings"
	"time"

	"github.com/nowait/nowait/stats"
)

// runDescription says what was run, for a chart's subtitle: the target
// (shortened to fit when drawn), then the mode, the load model and its
// rate, the connections, the pipelining and the warm-up, each when known:
// "http://127.0.0.1:8080/ — async, closed model, 50 connections, pipeline
// 16, after a 1s warm-up (not shown)".
func runDescription(res *stats.Result) string {
	var what []string
	if res.Mode != "" {
		what = append(what, res.Mode)
	}
	switch {
	case res.Model == "open" && len(res.Ramp) > 0:
		what = append(what, "open model at "+stats.RampText(res.Ramp)+" req/s")
	case res.Model == "open" && res.RatePerSec > 0:
		what = append(what, "open model at "+stats.GroupDigits(int64(math.Round(res.RatePerSec)))+" req/s")
	case res.Model != "":
		what = append(what, res.Model+" model")
	}
	switch {
	case res.Model == "closed" && len(res.Ramp) > 0:
		what = append(what, stats.RampText(res.Ramp)+" connections")
	case res.Connections > 0:
		what = append(what, stats.Count(res.Connections, "connection"))
	}
	if res.Pipeline > 1 {
		what = append(what, "pipeline "+stats.GroupDigits(int64(res.Pipeline)))
	}
	if res.Warmup > 0 {
		what = append(what, "after a "+warmupText(res.Warmup)+" warm-up (not shown)")
	}
	if len(what) == 0 {
		return res.Target
	}
	return strings.TrimPrefix(res.Target+" — "+strings.Join(what, ", "), " — ")
}

// warmupText writes a warm-up as the report does: 1s, 500ms, 1.5s.
func warmupText(d time.Duration) string { return d.Round(time.Millisecond).String() }

// timeAxisLabel names a timeline's time axis, in unit (s or ms): from
// the start of the run, or from the end of its warm-up, which is not
// shown.
func timeAxisLabel(res *stats.Result, unit string) string {
	if res.Warmup > 0 {
		return "Time since the warm-up ended (" + unit + ")"
	}
	return "Time since start (" + unit + ")"
}

