package cmd

import (
	"fmt"
	"io"

	"github.com/nowait/nowait/stats"
)

// printHoldSummary prints a hold run: what was established and when, the
// connect times and errors, the sparse requests if any, and above all what
// each held connection cost the generator.
func printHoldSummary(w io.Writer, s stats.Summary) {
	fmt.Fprintln(w)
	head := fmt.Sprintf("%s mode, hold model, %s", s.Mode, stats.Count(s.Connections, "connection"))
	if s.Loops > 0 {
		head += ", " + stats.Count(s.Loops, "loop")
	}
	fmt.Fprintf(w, "%s against %s\n", head, s.Target)
	if s.Interrupted {
		fmt.Fprintln(w, "Interrupted: the results below cover the run up to the interruption.")
	}
	labelled(w, "Duration", "%s", fmtSeconds(s.DurationSec))
	established := "never all open at once"
	if s.EstablishedSec > 0 {
		established = "all open after " + fmtSeconds(s.EstablishedSec)
	}
	labelled(w, "Connections", "%s of %s open at the end, peak %s, %s; %s connects in all%s",
		fmtCount(uint64(s.OpenConnsAtEnd)), fmtCount(uint64(s.Connections)), fmtCount(uint64(s.PeakOpenConns)),
		established, fmtCount(s.Connects), resumedText(s))
	labelled(w, "Closed", "%s", fmtServerClosed(s.ServerClosed))
	if s.Requests > 0 {
		labelled(w, "Requests", "%s sent, %s answered, %s req/s", fmtCount(s.Requests), fmtCount(s.Responses), fmtRate(s.RequestsPerSec))
	}

	fmt.Fprintln(w)
	printLatencyTable(w, s)
	fmt.Fprintln(w)
	if s.Responses > 0 {
		labelled(w, "Status codes", "%s", fmtStatus(s.Status))
	}
	labelled(w, "Errors", "%s", fmtHoldErrors(s))
	if s.HTTPToTLS {
		labelled(w, "Hint", "%s", tlsHint(s.Target))
	}
	if s.InFlightAtEnd > 0 {
		labelled(w, "In flight", "%s unanswered when the run stopped (not counted as errors)", stats.Count(s.InFlightAtEnd, "request"))
	}
	g := s.Generator
	labelled(w, "Generator", "%s, %s, %s at the peak", fmtCPU(g), stats.Count(g.PeakThreads, "thread"), stats.Count(g.PeakGoroutines, "goroutine"))
	labelled(w, "Memory", "RSS %s at the start, %s at the peak%s",
		fmtBytes(float64(g.StartRSSBytes)), fmtBytes(float64(g.PeakRSSBytes)), perHeldText(s))
}

// perHeldText ends the Memory line: the RSS added per held connection,
// or why there is no such figure.
func perHeldText(s stats.Summary) string {
	if s.RSSBytesPerConn == nil {
		return "; no connection was held, so none per connection"
	}
	held := ""
	if s.PeakOpenConns != s.Connections {
		held = fmt.Sprintf(" (%s held at the peak)", fmtCount(uint64(s.PeakOpenConns)))
	}
	return ": " + fmtBytes(*s.RSSBytesPerConn) + " per held connection" + held
}

// fmtHoldErrors lists the errors by kind; a hold run's are mostly
// connect errors, so no rate per request is given.
func fmtHoldErrors(s stats.Summary) string {
	if len(s.Errors) == 0 {
		return "none"
	}
	return fmtCount(s.ErrorTotal) + ": " + fmtErrorKinds(s.Errors)
}

// fmtServerClosed is the Closed line: how many held connections the
// server ended (idle, or after a response) and nowait opened again, the
// first thing a hold asks of a server (idle timeouts, connection limits,
// a proxy shedding connections). A close with a request in flight is an
// error, on the Errors line, not here.
func fmtServerClosed(n uint64) string {
	if n == 0 {
		return "no held connection closed by the server"
	}
	return stats.Count(n, "held connection") + " closed by the server (reconnected)"
}
