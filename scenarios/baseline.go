package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// errorRateSlack is the absolute error-rate increase always allowed (0.01
// percentage points), or one failed attempt's share of the run when that
// is larger, so a baseline with no errors does not fail a run on one
// stray error: 0 -> 1 of 2,986 is within it, not an infinite regression.
const errorRateSlack = 0.0001

// latencyFloorMs keeps a latency comparison finite when the baseline's
// value is 0 (the histogram's resolution, 1 µs).
const latencyFloorMs = 0.001

// ReadSummary reads a summary.json written by an earlier run.
func ReadSummary(path string) (stats.Summary, error) {
	var sum stats.Summary
	data, err := os.ReadFile(path)
	if err != nil {
		return sum, errmsg.New(fmt.Sprintf("cannot read %s: %v", path, stats.PathErrCause(err)), ErrBaseline)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		return sum, errmsg.New(fmt.Sprintf("%s is not a summary.json: %s; give the summary.json a run's --out wrote", path, stats.JSONProblem(err)), ErrBaseline)
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) == nil && keys["cells"] != nil && keys["responses"] == nil {
		return sum, errmsg.New(fmt.Sprintf("%s is a compare.json (a table of modes), not a run's summary.json; give the summary.json of one run", path), ErrBaseline)
	}
	switch {
	case sum.Schema == 0:
		return sum, errmsg.New(fmt.Sprintf("%s has no schema_version; is it a nowait summary.json?", path), ErrBaseline)
	case sum.Schema > stats.SchemaVersion:
		return sum, errmsg.New(fmt.Sprintf("%s has schema version %d; this nowait reads up to %d", path, sum.Schema, stats.SchemaVersion), ErrBaseline)
	case sum.Responses == 0:
		return sum, errmsg.New(fmt.Sprintf("%s has no responses to compare with", path), ErrBaseline)
	}
	return sum, nil
}

// CompareBaseline compares a run with a baseline run: p50, p99 and p99.9
// of the corrected latency and the error rate (higher is worse) and the
// throughput (lower is worse). A check fails when the current run is worse
// by more than maxRegression (a fraction: 0.10 is 10%); each says by how
// much, such as "p99 12.1ms vs 10.0ms: +21% > 10%". Latency checks of a
// saturated run fail, since its latency does not measure the target,
// except those it passed having sent the requests due (late): its
// latency counts the lag, so the target's is no worse.
func CompareBaseline(current, baseline stats.Summary, maxRegression float64) []Check {
	limit := marginText(maxRegression)
	signedPct := func(f float64) string { return signedPctBeside(f, maxRegression) }
	var checks []Check
	for _, p := range []float64{50, 99, 99.9} {
		name := "p" + stats.PercentileKey(p)
		cur, base := current.Latency.P(p), baseline.Latency.P(p)
		change := (cur - base) / max(base, latencyFloorMs)
		c := Check{
			Group:    "baseline",
			Expr:     name + " vs baseline",
			Measured: fmt.Sprintf("%s vs %s: %s", FormatMs(cur), FormatMs(base), signedPct(change)),
			Value:    cur,
			Limit:    "+" + limit,
			Passed:   change <= maxRegression,
		}
		if !c.Passed {
			c.Reason = fmt.Sprintf("%s %s > %s", name, c.Measured, limit)
		}
		if current.Latency.Count == 0 {
			// 0µs is no latency at all, not one better than the baseline's.
			c.Passed, c.Measured, c.Value = false, "", 0
			c.Reason = "nothing was measured: no response arrived"
		} else if current.Saturation.Saturated && c.Passed && boundHolds("<=", current.Saturation) {
			c.Note = saturatedNote(current.Saturation)
		} else if current.Saturation.Saturated {
			c.Passed = false
			c.Reason = fmt.Sprintf("schedule not kept: %s; its latency numbers do not measure the target (%s %s; allowed +%s)",
				current.Saturation.Reason, name, c.Measured, limit)
		}
		checks = append(checks, c)
	}

	cur, base := current.RequestsPerSec, baseline.RequestsPerSec
	drop := 0.0
	if base > 0 {
		drop = (base - cur) / base
	}
	rps := Check{
		Group:    "baseline",
		Expr:     "rps vs baseline",
		Measured: fmt.Sprintf("%s vs %s: %s", fmtRate(cur), fmtRate(base), signedPct(-drop)),
		Value:    cur,
		Limit:    "-" + limit,
		Passed:   drop <= maxRegression,
	}
	if !rps.Passed {
		rps.Reason = fmt.Sprintf("rps %s, a drop of %s > %s", rps.Measured, pctBeside(drop, maxRegression), limit)
	}
	checks = append(checks, rps)

	curE, baseE := current.ErrorRate, baseline.ErrorRate
	slack, slackText := errorRateSlack, "+0.01 points of slack"
	if n := current.Attempts(); n > 0 && 1/float64(n) > slack {
		slack, slackText = 1/float64(n), "+1 failed of the "+groupDigits(n)+" attempts"
	}
	allowed := baseE*(1+maxRegression) + slack
	er := Check{
		Group:    "baseline",
		Expr:     "error_rate vs baseline",
		Measured: fmt.Sprintf("%s vs %s", formatPercent(curE), formatPercent(baseE)),
		Value:    curE,
		Limit:    formatPercent(allowed),
		Passed:   curE <= allowed,
	}
	if !er.Passed {
		er.Reason = fmt.Sprintf("error_rate %s: above the %s allowed (baseline +%s, %s)",
			er.Measured, formatPercent(allowed), limit, slackText)
	}
	return append(checks, er)
}

// marginText writes a margin (a fraction) as the percentage it was
// given as: 0.105 -> "10.5%", 0.05 -> "5%", with no digit added or lost
// (up to six decimals of a percent).
func marginText(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// signedPctBeside formats a relative change to read beside the margin
// allowed: "+21%", "-3.5%" (see pctBeside).
func signedPctBeside(f, margin float64) string {
	s := pctBeside(f, margin)
	if f >= 0 {
		return "+" + s
	}
	return s
}

// pctBeside formats a relative change f to be read beside the margin
// allowed, written as marginText writes it: with the margin's decimals
// (a whole percentage when large, one decimal when small, at least), and
// more only when it takes them to tell the two apart, so that "a drop of
// 10.54% > 10.5%" never reads "10.5% > 10.5%".
func pctBeside(f, margin float64) string {
	decimals := 1
	if p := f * 100; p >= 10 || p <= -10 {
		decimals = 0
	}
	if _, frac, ok := strings.Cut(strings.TrimSuffix(marginText(margin), "%"), "."); ok {
		decimals = max(decimals, len(frac))
	}
	for extra := 0; extra < 4; extra++ {
		s := strconv.FormatFloat(f*100, 'f', decimals+extra, 64)
		if f == margin || s != strconv.FormatFloat(margin*100, 'f', decimals+extra, 64) {
			return s + "%"
		}
	}
	return strconv.FormatFloat(f*100, 'f', decimals+4, 64) + "%"
}

func fmtRate(f float64) string { return stats.GroupFloat(f, 1) }

// SetupDifferences names what differs between the setup of a run and of
// its baseline (target, mode, model, connections, pipeline, rate), as
// "connections 100 vs 50", current first: a comparison across setups
// measures the change of setup too. Fields the baseline does not record
// are not compared.
func SetupDifferences(current, baseline stats.Summary) []string {
	var out []string
	text := func(name, cur, base string) {
		if base != "" && cur != base {
			out = append(out, fmt.Sprintf("%s %s vs %s", name, cur, base))
		}
	}
	number := func(name string, cur, base float64) {
		if base != 0 && cur != base {
			out = append(out, fmt.Sprintf("%s %s vs %s", name, stats.GroupFloat(cur, -1), stats.GroupFloat(base, -1)))
		}
	}
	text("target", current.Target, baseline.Target)
	text("mode", current.Mode, baseline.Mode)
	text("model", current.Model, baseline.Model)
	number("connections", float64(current.Connections), float64(baseline.Connections))
	number("pipeline", float64(max(current.Pipeline, 1)), float64(max(baseline.Pipeline, 1)))
	number("rate", current.RatePerSec, baseline.RatePerSec)
	return out
}
