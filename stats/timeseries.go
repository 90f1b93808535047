package stats

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/nowait/nowait/internal/errmsg"
)

// statusClassColumns name the columns of timeseries.csv that count the
// responses by status class, after the error kinds (added later, so that
// the columns before them keep their places): status_1xx also counts the
// rare code below 100, status_5xx the codes above 599, as summary.json's
// status counts them (at 599).
var statusClassColumns = [...]string{"status_1xx", "status_2xx", "status_3xx", "status_4xx", "status_5xx"}

// statusClasses returns c's responses by class, as statusClassColumns
// name them: below 200, 2xx, 3xx, 4xx, then 500 and above.
func statusClasses(c *Counters) [len(statusClassColumns)]uint64 {
	var n [len(statusClassColumns)]uint64
	for code, v := range c.Status {
		n[min(max(code/100, 1), 5)-1] += v
	}
	return n
}

// timeseriesHeader returns the header row of timeseries.csv: the counts,
// rate and percentiles of each interval, one column per error kind
// (named as in summary.json), then the responses by status class.
func timeseriesHeader() []string {
	h := []string{
		"second", "requests", "responses", "errors", "requests_per_s",
		"p50_ms", "p90_ms", "p99_ms", "max_ms", "open_connections",
		"bytes_in", "bytes_out", "connects", "dropped", "resent", "start_ns", "end_ns", "server_closed",
		"tls_resumed",
	}
	for k := ErrorKind(0); k < NumErrorKinds; k++ {
		h = append(h, k.String())
	}
	return append(h, statusClassColumns[:]...)
}

// WriteTimeseries writes one CSV row per interval of res: its end in
// seconds since the measured run began, the counts within it, responses
// per second, the corrected latency p50, p90, p99 and max in ms, the
// connections open at its end, bytes, connects, dropped and resent requests, its
// exact start and end in ns since the measured run began, the held
// connections the server closed, the connects that resumed a TLS session,
// and the errors by kind.
func WriteTimeseries(w io.Writer, res *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(timeseriesHeader()); err != nil {
		return err
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	ms := func(us int64) string { return f(float64(us)/1000, 3) }
	for i := range res.Intervals {
		iv := &res.Intervals[i]
		h := iv.Latency
		if h == nil {
			h = NewHistogram()
		}
		rate := 0.0
		if d := iv.EndNs - iv.StartNs; d > 0 {
			rate = float64(iv.Responses) * 1e9 / float64(d)
		}
		row := []string{
			f(float64(iv.EndNs)/1e9, 3), u(iv.Requests), u(iv.Responses), u(iv.ErrorTotal()), f(rate, 1),
			ms(Quantile(h, 50)), ms(Quantile(h, 90)), ms(Quantile(h, 99)), ms(h.Max()), strconv.Itoa(iv.OpenConns),
			u(iv.BytesIn), u(iv.BytesOut), u(iv.Connects), u(iv.Dropped), u(iv.Resent),
			strconv.FormatInt(iv.StartNs, 10), strconv.FormatInt(iv.EndNs, 10), u(iv.ServerClosed),
			u(iv.TLSResumed),
		}
		for _, e := range iv.Errors {
			row = append(row, u(e))
		}
		for _, n := range statusClasses(&iv.Counters) {
			row = append(row, u(n))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadTimeseries reads the counters and times of each interval back from
// timeseries.csv, in order. Latency comes from latency.hlog. The status
// codes of an interval are not kept, only their classes: each class's
// count comes back at its first code (the 5xx at 500, the 1xx at 100),
// and a file written before the classes were kept gives none.
func ReadTimeseries(r io.Reader) ([]Interval, error) {
	cr := csv.NewReader(r)
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, errmsg.Errorf(ErrCorrupt, "it is not CSV: %v", err)
	}
	if len(rows) == 0 {
		return nil, errmsg.Errorf(ErrCorrupt, "it is empty, without even its header line")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"requests", "responses", "open_connections"} {
		if _, ok := col[name]; !ok {
			return nil, errmsg.Errorf(ErrCorrupt, "it has no column %s", name)
		}
	}
	ivs := make([]Interval, 0, len(rows)-1)
	for n, row := range rows[1:] {
		var perr error
		get := func(name string) uint64 {
			i, ok := col[name]
			if !ok || perr != nil {
				return 0 // optional column absent
			}
			v, err := strconv.ParseUint(row[i], 10, 64)
			if err != nil {
				perr = errmsg.Errorf(ErrCorrupt, "line %d, column %s: %q is not a count", n+2, name, row[i])
			}
			return v
		}
		var iv Interval
		iv.Requests = get("requests")
		iv.Responses = get("responses")
		iv.OpenConns = int(get("open_connections"))
		iv.BytesIn = get("bytes_in")
		iv.BytesOut = get("bytes_out")
		iv.Connects = get("connects")
		iv.Dropped = get("dropped")
		iv.Resent = get("resent")
		iv.StartNs = int64(get("start_ns"))
		iv.EndNs = int64(get("end_ns"))
		iv.ServerClosed = get("server_closed")
		iv.TLSResumed = get("tls_resumed")
		for k := ErrorKind(0); k < NumErrorKinds; k++ {
			iv.Errors[k] = get(k.String())
		}
		for i, name := range statusClassColumns {
			iv.Status[100*(i+1)] = get(name)
		}
		if perr != nil {
			return nil, perr
		}
		ivs = append(ivs, iv)
	}
	return ivs, nil
}
