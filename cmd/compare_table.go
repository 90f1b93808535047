package cmd

import (
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/nowait/nowait/stats"
)

// compareTable prints the cells as they complete, in fixed-width columns
// so each row can be printed as soon as its cell ends.
type compareTable struct {
	w       io.Writer
	enabled bool
	hold    bool // the hold table's columns
	https   bool // the resumed column: the connects that resumed a TLS session
}

const compareRow = "%-9s %6s %9s %8s %8s %8s %11s %9s %9s %7s %7s"

// holdRow is the hold model's row: what holding cost, not throughput.
const holdRow = "%-9s %6s %11s %9s %9s %9s %9s %9s %7s %7s %7s"

// resumedCol is the last column of an https comparison's rows.
const resumedCol = " %8s"

func newCompareTable(w io.Writer, enabled, hold, https bool) *compareTable {
	t := &compareTable{w: w, enabled: enabled, hold: hold, https: https}
	if enabled && hold {
		t.print(holdRow, "resumed", "mode", "conns", "established", "all open", "connect50", "connect99", "RSS", "RSS/conn", "threads", "CPU s", "errors")
	} else if enabled {
		// "µ" is two bytes and one column: pad its header by one more.
		t.print(compareRow, "resumed", "mode", "conns", "req/s", "p50", "p99", "p99.9", " CPU µs/req", "RSS", "RSS/conn", "threads", "errors")
	}
	return t
}

// isHTTPS reports whether rawURL, a URL compare checked, is an https one.
func isHTTPS(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Scheme == "https"
}

// print prints one line of the table in format, then, in an https
// comparison, resumed in the last column.
func (t *compareTable) print(format, resumed string, cols ...any) {
	if t.https {
		format, cols = format+resumedCol, append(cols, resumed)
	}
	fmt.Fprintf(t.w, format+"\n", cols...)
}

func (t *compareTable) row(c CompareCell) {
	if !t.enabled {
		return
	}
	if c.Summary == nil || c.Error != "" {
		fmt.Fprintf(t.w, "%-9s %6s  failed: %s\n", c.Mode, fmtCount(uint64(c.Connections)), c.Error)
		return
	}
	mode := c.Mode
	if c.Interrupted {
		mode += "*" // marked, and explained under the table
	}
	s := c.Summary
	if t.hold {
		allOpen := "never"
		if s.EstablishedSec > 0 {
			allOpen = fmtSeconds(s.EstablishedSec)
		}
		t.print(holdRow, fmtCount(s.TLSResumed), mode, fmtCount(uint64(c.Connections)), fmtCount(uint64(s.PeakOpenConns)), allOpen,
			stats.FormatMs(s.Connect.P(50)), stats.FormatMs(s.Connect.P(99)), fmtBytes(float64(s.Generator.PeakRSSBytes)),
			fmtPerConn(s.RSSBytesPerConn), strconv.Itoa(s.Generator.PeakThreads),
			strconv.FormatFloat(s.Generator.CPUSec(), 'f', 2, 64), fmtCount(s.ErrorTotal))
		return
	}
	t.print(compareRow, fmtCount(s.TLSResumed), mode, fmtCount(uint64(c.Connections)), fmtRate(s.RequestsPerSec),
		stats.FormatMs(s.Latency.P(50)), stats.FormatMs(s.Latency.P(99)), stats.FormatMs(s.Latency.P(99.9)),
		strconv.FormatFloat(s.CPUMicrosPerReq, 'f', 1, 64), fmtBytes(float64(s.Generator.PeakRSSBytes)),
		fmtPerConn(s.RSSBytesPerConn), strconv.Itoa(s.Generator.PeakThreads), fmtCount(s.ErrorTotal))
}

// fmtPerConn formats the RSS added per connection, "-" for a cell that
// opened no connection and so has no such figure.
func fmtPerConn(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmtBytes(*v)
}

// interrupted explains, under the table, that Ctrl-C stopped the
// comparison after ran of planned cells.
func (t *compareTable) interrupted(ran, planned int) {
	if !t.enabled {
		return
	}
	fmt.Fprintf(t.w, "\nInterrupted: %d of %d cells ran; * marks a cell cut short, its figures cover only the time it ran\n", ran, planned)
}
