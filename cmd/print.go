package cmd

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// printSummary prints the human summary of a run, like wrk's but with the
// percentiles, status codes, errors and the generator's own cost.
func printSummary(w io.Writer, s stats.Summary) {
	if s.Model == "hold" {
		printHoldSummary(w, s)
		return
	}
	fmt.Fprintln(w)
	head := fmt.Sprintf("%s mode, %s model, %s%s", s.Mode, s.Model, connectionsText(s.Model, s.Connections, s.Ramp), loweredText(s.ConnsAsked))
	if s.Model == "closed" && len(s.Ramp) > 0 {
		head += " over " + scenarios.FormatDuration(stats.RampLength(s.Ramp))
	}
	if s.Loops > 0 {
		head += ", " + stats.Count(s.Loops, "loop")
	}
	if s.Pipeline > 1 {
		head += fmt.Sprintf(", pipeline %d", s.Pipeline)
	}
	fmt.Fprintf(w, "%s against %s\n", head, s.Target)
	if s.Interrupted {
		fmt.Fprintln(w, "Interrupted: the results below cover the run up to the interruption.")
	}
	duration := fmtSeconds(s.DurationSec)
	if s.Warmup != nil {
		duration += fmt.Sprintf(" (after a %s warm-up, not counted: %s sent, %s answered)", fmtSeconds(s.WarmupSec), stats.Count(s.Warmup.Requests, "request"), fmtCount(s.Warmup.Responses))
	}
	labelled(w, "Duration", "%s", duration)
	labelled(w, "Requests", "%s sent, %s answered, %s req/s", fmtCount(s.Requests), fmtCount(s.Responses), fmtRate(s.RequestsPerSec))
	labelled(w, "Transfer", "%s in (%s/s), %s out", fmtBytes(float64(s.BytesIn)), fmtBytes(s.BytesInPerSec), fmtBytes(float64(s.BytesOut)))
	labelled(w, "Connections", "%s opened%s, %s open at the end%s", fmtCount(s.Connects), resumedText(s), fmtCount(uint64(s.OpenConnsAtEnd)), allOpenText(s))
	if s.ServerClosed > 0 {
		labelled(w, "Closed", "%s", fmtServerClosed(s.ServerClosed))
	}

	fmt.Fprintln(w)
	printLatencyTable(w, s)

	fmt.Fprintln(w)
	labelled(w, "Status codes", "%s", fmtStatus(s.Status))
	labelled(w, "Errors", "%s", fmtErrors(s))
	if s.HTTPToTLS {
		labelled(w, "Hint", "%s", tlsHint(s.Target))
	}
	if s.Failed > s.ErrorTotal {
		labelled(w, "Failed", "%s", fmtFailed(s))
	}
	if s.Model == "open" {
		labelled(w, "Schedule", "target %s; sends lagged the schedule by p50 %s, p99 %s, max %s%s; %s dropped (due, never sent)",
			scheduleTarget(s.RatePerSec, s.Ramp), stats.FormatMs(s.SendLag.P(50)), stats.FormatMs(s.SendLag.P(99)), stats.FormatMs(s.SendLag.MaxMs), queueNote(s.Saturation.QueuePeak), stats.Count(s.Dropped, "request"))
		if !s.Saturation.Saturated && s.Saturation.Note != "" {
			labelled(w, "", "%s", s.Saturation.Note)
		}
	}
	if s.Resent > 0 {
		labelled(w, "Resent", "%s pipelined requests the server closed the connection on unanswered (Connection: close), sent again (not counted as errors)", fmtCount(s.Resent))
	}
	if s.InFlightAtEnd > 0 {
		labelled(w, "In flight", "%s unanswered when the run stopped (not counted as errors)", stats.Count(s.InFlightAtEnd, "request"))
	}
	g := s.Generator
	perReq := "no request answered"
	switch {
	case s.CPUMicrosPerReq > 0 && s.Warmup != nil:
		perReq = fmtCPUPerReq(s.CPUMicrosPerReq) + " CPU per request (warm-up included)" // the CPU time covers the warm-up too
	case s.CPUMicrosPerReq > 0:
		perReq = fmtCPUPerReq(s.CPUMicrosPerReq) + " CPU per request"
	}
	labelled(w, "Generator", "%s, %s, peak RSS %s", fmtCPU(g), perReq, fmtBytes(float64(g.PeakRSSBytes)))
	if s.Saturation.Saturated {
		labelled(w, "WARNING", "the schedule was not kept: %s", s.Saturation.Reason)
	}
}

// labelWidth is the width of the report's label column: its longest
// label, "Status codes", and two spaces. Every value starts after it.
const labelWidth = len("Status codes") + 2

// labelled prints one line of the report: two spaces, the label padded
// to labelWidth, then the value, so that every value of the report
// starts in one column; an empty label continues the line above.
func labelled(w io.Writer, label, format string, args ...any) {
	fmt.Fprintf(w, "  %-*s%s\n", labelWidth, label, fmt.Sprintf(format, args...))
}

// resumedText says, after the connects of an https run, how many resumed
// a TLS session (tls_resumed) rather than making a full handshake; it says
// nothing of an http run, or of one that opened no connection.
func resumedText(s stats.Summary) string {
	switch {
	case s.Connects == 0 || (s.TLSResumed == 0 && !strings.Contains(s.Target, "https://")):
		return ""
	case s.TLSResumed == 0:
		return " (none resumed a TLS session)"
	}
	return " (" + fmtCount(s.TLSResumed) + " resumed a TLS session)"
}

// allOpenText says when the run's connections were first all open at
// once (all_established_s), as the hold report does: a slow connect
// storm shows there. In a closed-model ramp, "all" is the ramp's peak
// (-c included), reached or not, and the line names it. It says nothing
// of a run that opened none.
func allOpenText(s stats.Summary) string {
	all := "all"
	if s.Model == "closed" && len(s.Ramp) > 0 {
		peak, at := rampPeak(s.Ramp)
		if s.EstablishedSec > 0 && s.EstablishedSec < at {
			// Saved before "all" was the ramp's peak: the moment the
			// first -c were open, which says nothing of the peak.
			return ""
		}
		all = "all " + fmtCount(uint64(math.Round(peak)))
	}
	switch {
	case s.Connects == 0:
		return ""
	case s.EstablishedSec > 0:
		return ", " + all + " open after " + fmtSeconds(s.EstablishedSec)
	}
	return ", never " + all + " open at once"
}

// rampPeak returns the most connections a closed ramp asks for and the
// first moment it asks for them (seconds from the start): the engines
// round the ramp's count, so the peak is asked for half a connection
// before the line reaches it.
func rampPeak(ramp []stats.RampPoint) (peak, atSec float64) {
	for _, p := range ramp {
		peak = max(peak, p.Target)
	}
	for i, p := range ramp {
		switch {
		case p.Target >= peak-0.5 && i == 0:
			return peak, 0
		case p.Target >= peak-0.5:
			prev := ramp[i-1]
			return peak, prev.AtSec + (p.AtSec-prev.AtSec)*(peak-0.5-prev.Target)/(p.Target-prev.Target)
		}
	}
	return peak, 0
}

// printLatencyTable prints the corrected latency and, where it differs,
// the service time, side by side.
//
// Rows with nothing measured are left out: a run in which no response
// arrived says so in one line rather than printing a row of zeros.
func printLatencyTable(w io.Writer, s stats.Summary) {
	answered := s.Latency.Count > 0
	if !answered && s.Model != "hold" {
		labelled(w, "Latency", "none: no response arrived")
	}
	if !answered && s.Connect.Count == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []string{"mean", "stdev", "p50", "p75", "p90", "p99", "p99.9", "p99.99", "max"}
	fmt.Fprint(tw, "  Latency\t")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	row := func(name string, l stats.Latency) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t", name, stats.FormatMs(l.MeanMs), stats.FormatMs(l.StdevMs))
		for _, p := range stats.SummaryPercentiles {
			fmt.Fprintf(tw, "%s\t", stats.FormatMs(l.P(p)))
		}
		fmt.Fprintf(tw, "%s\t\n", stats.FormatMs(l.MaxMs))
	}
	switch {
	case !answered:
	case s.Model == "open" || s.Model == "hold":
		row("from intended send", s.Latency)
		row("service time", s.Service)
	default:
		row("response time", s.Latency)
	}
	if s.Connect.Count > 0 {
		row("connect", s.Connect)
	}
	tw.Flush()
}

// printDistribution prints the full percentile distribution (--latency),
// or nothing when no response was measured (the summary says so).
func printDistribution(w io.Writer, res *stats.Result) {
	rows := latencyDistribution(res)
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  Latency distribution")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  percentile\tlatency\tcount\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s%%\t%s\t%s\t\n", stats.PercentileKey(r.Percentile), stats.FormatMs(r.LatencyMs), fmtCount(uint64(r.Count)))
	}
	tw.Flush()
}

// distributionPercentiles are the rows of the --latency distribution.
var distributionPercentiles = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100}

// distributionRow is one row of the --latency distribution, as --json
// prints it too.
type distributionRow struct {
	Percentile float64 `json:"percentile"`
	LatencyMs  float64 `json:"latency_ms"`
	// Count is how many latencies were recorded at or below LatencyMs, to
	// the histogram's resolution: the responses up to the end of its
	// bucket, as latency.hgrm's TotalCount column counts them.
	Count int64 `json:"count"`
}

// latencyDistribution returns the rows of the --latency distribution,
// none when no response was measured.
func latencyDistribution(res *stats.Result) []distributionRow {
	h := res.Latency
	if h.TotalCount() == 0 {
		return nil
	}
	bars := h.Distribution()
	rows := make([]distributionRow, 0, len(distributionPercentiles))
	for _, p := range distributionPercentiles {
		v := stats.Quantile(h, p)
		// v is the lowest (0%) or the highest value of its bucket: every
		// bucket that starts at or below it holds only values counted.
		var n int64
		for _, b := range bars {
			if b.From > v {
				break
			}
			n += b.Count
		}
		rows = append(rows, distributionRow{Percentile: p, LatencyMs: float64(v) / 1000, Count: n})
	}
	return rows
}

// fmtSeconds prints a duration with about three significant digits, so
// that a short run's duration agrees with its rate: 55.5ms, 2.03s, 10.01s.
func fmtSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	case d < 10*time.Second:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func fmtCount(n uint64) string { return stats.GroupDigits(int64(n)) }

// fmtRate prints a rate in requests per second: whole from 100 on, with
// a decimal from 0.1, and below that to two significant digits without
// an exponent (0.048, 0.000000001), never a 0.0 that is not 0.
func fmtRate(r float64) string {
	switch {
	case r >= 100:
		return fmtCount(uint64(r + 0.5))
	case r >= 0.1 || r <= 0:
		return fmt.Sprintf("%.1f", r)
	}
	two, _ := strconv.ParseFloat(strconv.FormatFloat(r, 'g', 2, 64), 64)
	return strconv.FormatFloat(two, 'f', -1, 64)
}

func fmtBytes(b float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}

// statusWidth is the widest a Status codes line gets before it wraps.
const statusWidth = 80

// fmtStatus is the Status codes value: each code with its count, "200 ×
// 1,204, 500 × 119", the × telling a code from a count whose thousands
// separator is a comma too; a list longer than statusWidth wraps, each
// line beginning in the value column.
func fmtStatus(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	col := 2 + labelWidth // where the value starts
	for i, k := range keys {
		item := fmt.Sprintf("%s × %s", k, fmtCount(m[k]))
		if i < len(keys)-1 {
			item += ","
		}
		switch {
		case i == 0:
		case col+1+utf8.RuneCountInString(item) > statusWidth:
			b.WriteString("\n" + strings.Repeat(" ", 2+labelWidth))
			col = 2 + labelWidth
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(item)
		col += utf8.RuneCountInString(item)
	}
	return b.String()
}

// fmtErrors is the Errors line: failures of every kind, as a share of the
// attempts (responses + errors, failed connects included), the same
// denominator as the "errors" threshold.
func fmtErrors(s stats.Summary) string {
	if len(s.Errors) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s (%s of %s): %s", fmtCount(s.ErrorTotal), stats.Share(s.ErrorTotal, s.Attempts()), stats.Count(s.Attempts(), "attempt"), fmtErrorKinds(s.Errors))
}

// fmtFailed is the Failed line, the count behind error_rate, when it holds
// more than the errors: responses with a status outside 200-399.
func fmtFailed(s stats.Summary) string {
	bad := s.Failed - s.ErrorTotal
	return fmt.Sprintf("%s (%s of %s): %s with a status outside 200-399, %s", fmtCount(s.Failed), stats.Share(s.Failed, s.Attempts()), stats.Count(s.Attempts(), "attempt"), fmtCount(bad), stats.Count(s.ErrorTotal, "error"))
}


// fmtErrorKinds lists error counts by kind, in name order.
func fmtErrorKinds(errs map[string]uint64) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s", strings.ReplaceAll(k, "_", " "), fmtCount(errs[k])))
	}
	return strings.Join(parts, ", ")
}

// targetHost returns host:port of a URL, or the text itself.
func targetHost(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// fmtCPU prints the generator's CPU time: "3.55 s CPU (user 0.46, sys
// 3.09)", and for a run of less than a tenth of a second in ms or µs,
// each with its unit ("3.98ms CPU (user 1.20ms, sys 2.78ms)"), never a
// 0.00 s beside a CPU per request that is not 0.
func fmtCPU(g stats.Generator) string {
	if g.CPUSec() >= 0.1 {
		return fmt.Sprintf("%.2f s CPU (user %.2f, sys %.2f)", g.CPUSec(), g.CPUUserSec, g.CPUSysSec)
	}
	ms := func(sec float64) string { return stats.FormatMs(sec * 1000) }
	return fmt.Sprintf("%s CPU (user %s, sys %s)", ms(g.CPUSec()), ms(g.CPUUserSec), ms(g.CPUSysSec))
}

// fmtCPUPerReq prints the CPU a request cost, as FormatMs writes units
// but with a decimal below a millisecond: 1.1µs, 58.4µs, 2.27ms.
func fmtCPUPerReq(us float64) string {
	if us < 1000 {
		return fmt.Sprintf("%.1fµs", us)
	}
	return stats.FormatMs(us / 1e3)
}

// scheduleTarget names an open run's schedule: its rate, or the rates
// its ramp goes through ("100 → 500 → 0 req/s over 4s"). A result saved
// before ramps were kept has none to name.
func scheduleTarget(ratePerSec float64, ramp []stats.RampPoint) string {
	switch {
	case len(ramp) > 0:
		return stats.RampText(ramp) + " req/s over " + scenarios.FormatDuration(stats.RampLength(ramp))
	case ratePerSec <= 0:
		return "a ramp (--stages)"
	}
	return fmtRate(ratePerSec) + " req/s"
}

// connectionsText names a run's connections: their count, or in the
// closed model with stages the counts its ramp goes through ("10 → 100 →
// 0 connections"), the first being -c.
func connectionsText(model string, conns int, ramp []stats.RampPoint) string {
	if model != "closed" || len(ramp) == 0 {
		return stats.Count(conns, "connection")
	}
	text := stats.RampText(ramp)
	if text == "1" {
		return "1 connection"
	}
	return text + " connections"
}

// loweredText says that a counted run opened fewer connections than
// asked, one per request (engine.Plan.CapConnections): " (50 asked, one
// per request)", or nothing when it opened those asked for.
func loweredText(asked int) string {
	if asked <= 0 {
		return ""
	}
	return " (" + fmtCount(uint64(asked)) + " asked, one per request)"
}

// queueNote says how many requests waited at the worst moment of an open
// run, or nothing when none did.
func queueNote(peak int64) string {
	if peak <= 0 {
		return ""
	}
	return " (about " + stats.Count(peak, "request") + " waiting at the worst)"
}

