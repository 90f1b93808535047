package stats

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

// csvColumn returns the values of column name in the CSV text, by row.
func csvColumn(t *testing.T, text, name string) []uint64 {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no column %q in %v", name, rows[0])
	}
	var vs []uint64
	for _, r := range rows[1:] {
		v, err := strconv.ParseUint(r[col], 10, 64)
		if err != nil {
			t.Fatalf("column %s: %v", name, err)
		}
		vs = append(vs, v)
	}
	return vs
}

// timeseries.csv counts each second's responses by status class, so that
// a chart (or a reader of the file) can tell the failed statuses from
// the answered ones: the classes add up to the second's responses, and a
// second's failed responses (outside 200-399) come back from the file.
func TestTimeseriesCountsStatusClasses(t *testing.T) {
	rec := NewRecorder()
	rec.EndWarmup(0)
	codes := map[int]int{99: 1, 101: 2, 200: 50, 204: 5, 301: 3, 404: 7, 500: 11, 503: 13, 599: 1}
	for code, n := range codes {
		for range n {
			rec.RecordSent(1, 100)
			rec.RecordResponse(code, 1e6, 1e6)
		}
	}
	rec.CloseInterval(1e9, 10)
	for range 20 {
		rec.RecordSent(1, 100)
		rec.RecordResponse(200, 1e6, 1e6)
	}
	rec.CloseInterval(2e9, 10)
	res := NewResult()
	res.AddRecorder(rec)
	var buf bytes.Buffer
	if err := WriteTimeseries(&buf, res); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	want := map[string][]uint64{
		"status_1xx": {3, 0}, "status_2xx": {55, 20}, "status_3xx": {3, 0}, "status_4xx": {7, 0}, "status_5xx": {25, 0},
	}
	for name, w := range want {
		if got := csvColumn(t, text, name); len(got) != 2 || got[0] != w[0] || got[1] != w[1] {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
	ivs, err := ReadTimeseries(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, iv := range ivs {
		if got, want := iv.FailedResponses(), res.Intervals[i].FailedResponses(); got != want {
			t.Errorf("second %d: %d failed responses read back, %d written", i+1, got, want)
		}
	}
	if got := ivs[0].FailedResponses(); got != 35 {
		t.Errorf("first second: %d failed responses, want 35 (3 below 200, 7 4xx, 25 5xx)", got)
	}
}

// The status classes are added after every column there was, which keep
// their places; a file written before them reads back without statuses.
func TestTimeseriesStatusClassesAreAdditive(t *testing.T) {
	old := "second,requests,responses,errors,requests_per_s,p50_ms,p90_ms,p99_ms,max_ms,open_connections," +
		"bytes_in,bytes_out,connects,dropped,resent,start_ns,end_ns,server_closed,tls_resumed," +
		"connect_refused,connect_timeout,connect_error,addr_not_available,too_many_files,tls_handshake," +
		"reset,read_error,write_error,timeout,bad_response,header_too_large"
	if got := strings.Join(timeseriesHeader(), ","); !strings.HasPrefix(got, old+",") {
		t.Fatalf("header %q does not start with the earlier header %q", got, old)
	}
	row := "1.000,10,9,1,9.0,1.000,1.000,1.000,1.000,5,900,1000,5,0,0,0,1000000000,0,0,0,0,0,0,0,0,1,0,0,0,0,0"
	ivs, err := ReadTimeseries(strings.NewReader(old + "\n" + row + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 1 || ivs[0].Responses != 9 || ivs[0].Errors[ErrReset] != 1 || ivs[0].FailedResponses() != 0 || ivs[0].StatusClass(2) != 0 {
		t.Fatalf("read back %+v", ivs)
	}
}
