package stats

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// synthResult builds a result of secs one-second intervals from two
// recorders, with latencies drawn from a seeded distribution around
// baseUs, a few errors, and a 2 s warm-up.
func synthResult(seed uint64, secs int, baseUs int64) *Result {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	res := NewResult()
	res.Mode, res.Model, res.Target = "async", "open", "http://127.0.0.1:8080/"
	res.Connections, res.Loops, res.Pipeline, res.RatePerSec = 100, 2, 1, 2000
	res.Start = time.Date(2026, 11, 25, 22, 0, 0, 123_456_789, time.UTC)
	res.Warmup = 2 * time.Second
	for l := 0; l < 2; l++ {
		rec := NewRecorder()
		for w := 0; w < 50; w++ { // warm-up, excluded
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, 5_000_000, 5_000_000)
		}
		rec.RecordError(ErrTimeout)
		rec.EndWarmup(0)
		for s := 1; s <= secs; s++ {
			for n := 0; n < 500+s*10; n++ {
				us := baseUs + int64(rng.ExpFloat64()*float64(baseUs))
				if rng.IntN(1000) == 0 {
					us *= 40 // a stall
				}
				rec.RecordSent(1, 120)
				rec.RecordReceived(300)
				status := 200
				if n%97 == 0 {
					status = 503
				}
				rec.RecordResponse(status, us*1000, us*1000*3/4)
				rec.RecordSendLag(int64(rng.IntN(200)) * 1000)
			}
			rec.Resent += 7 // pipelined requests a Connection: close left, sent again
			rec.ServerClosed += uint64(s)
			if s%3 == 0 {
				rec.RecordError(ErrReset)
				rec.RecordConnect(int64(200+rng.IntN(100)) * 1000)
				rec.RecordTLSResumed()
			}
			rec.CloseInterval(int64(s)*1e9+123_457, 50) // sub-ms ends must survive the round trip
		}
		res.AddRecorder(rec)
		res.Connects += 50
	}
	res.Elapsed = time.Duration(secs) * time.Second
	res.OpenConnsAtEnd, res.PeakOpenConns = 100, 100
	res.Generator = Generator{CPUUserSec: 1.5, CPUSysSec: 0.5, PeakRSSBytes: 40 << 20, PeakThreads: 5, PeakGoroutines: 7}
	return res
}

func TestWriteDirWritesEveryFileAtomically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := WriteDir(dir, synthResult(1, 5, 1000)); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{HistLogFile, HgrmFile, LatencyLogFile, SummaryFile, TimeseriesFile}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("files %v, want %v (no temporaries left)", names, want)
	}
}

func TestSummaryJSONRoundTrips(t *testing.T) {
	res := synthResult(2, 4, 800)
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var got Summary
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := Summarize(res)
	if !got.Start.Equal(want.Start) {
		t.Fatalf("start %v, want %v", got.Start, want.Start)
	}
	got.Start = want.Start
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("summary.json round trip:\n got %+v\nwant %+v", got, want)
	}
	if got.Schema != SchemaVersion || got.Requests == 0 || got.Errors["reset"] == 0 {
		t.Fatalf("summary lacks content: %+v", got)
	}
}

// The interval log is read back by hdrhistogram-go's own reader: one
// histogram per interval, same counts, same times, and their sum is the
// run's latency histogram because the intervals cover the run.
func TestLatencyHlogReadBackByHdrReader(t *testing.T) {
	res := synthResult(3, 6, 1500)
	var buf bytes.Buffer
	if err := WriteHlog(&buf, res); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, w := range []string{"#[Histogram log format version 1.3]", "#[StartTime: 1795644000 ", "#[BaseTime: 1795644000 ", `"StartTimestamp","Interval_Length"`} {
		if !strings.Contains(text, w) {
			t.Fatalf("log lacks %q:\n%s", w, text[:min(len(text), 600)])
		}
	}
	lr := hdrhistogram.NewHistogramLogReader(&buf)
	total := NewHistogram()
	n := 0
	for ; ; n++ {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		iv := res.Intervals[n]
		if h.TotalCount() != iv.Latency.TotalCount() || !h.Equals(iv.Latency) {
			t.Fatalf("interval %d: %d values read, %d written", n, h.TotalCount(), iv.Latency.TotalCount())
		}
		wantStart := res.Start.UnixMilli() + iv.StartNs/1e6
		if h.StartTimeMs() != wantStart || h.EndTimeMs()-h.StartTimeMs() != 1000 {
			t.Fatalf("interval %d: %d..%d ms, want start %d and 1000 ms", n, h.StartTimeMs(), h.EndTimeMs(), wantStart)
		}
		total.Merge(h)
	}
	if n != len(res.Intervals) {
		t.Fatalf("read %d intervals, wrote %d", n, len(res.Intervals))
	}
	if !total.Equals(res.Latency) || total.TotalCount() != int64(res.Responses) {
		t.Fatalf("sum of intervals %d values, run latency %d, responses %d", total.TotalCount(), res.Latency.TotalCount(), res.Responses)
	}
}

func TestHgrmGolden(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 10_000; v++ {
		_ = h.RecordValue(v * 10) // 10 µs .. 100 ms, uniform
	}
	_ = h.RecordValues(2_500_000, 3) // three 2.5 s stalls
	var buf bytes.Buffer
	if err := WriteHgrm(&buf, h); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "latency.hgrm")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("latency.hgrm differs from %s (go test -update rewrites it):\n%s", golden, buf.String())
	}
	// Independent of the golden: the format's landmarks, in ms.
	for _, w := range []string{"Value\tPercentile\tTotalCount\t1/(1-Percentile)", "2500.607     1.000000        10003          inf", "#[Max     =     2500.607, Total count    =        10003]", "#[Buckets = "} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("hgrm lacks %q", w)
		}
	}
}

func TestTimeseriesCSV(t *testing.T) {
	res := synthResult(4, 3, 1000)
	var buf bytes.Buffer
	if err := WriteTimeseries(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want header and 3 rows:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[0], "second,requests,responses,errors,requests_per_s,p50_ms,p90_ms,p99_ms,max_ms,open_connections,") {
		t.Fatalf("header %q", lines[0])
	}
	// Second 3: 2 loops x 530 responses, one reset each, 100 conns open.
	f := strings.Split(lines[3], ",")
	if f[0] != "3.000" || f[1] != "1060" || f[2] != "1060" || f[3] != "2" || f[4] != "1060.0" || f[9] != "100" {
		t.Fatalf("row 3 = %q", lines[3])
	}
	ivs, err := ReadTimeseries(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, iv := range ivs {
		w := res.Intervals[i]
		w.Status = [MaxStatus]uint64{} // kept by class, each at its first code
		w.Status[200], w.Status[500] = res.Intervals[i].Status[200], res.Intervals[i].Status[503]
		if iv.Counters != w.Counters || iv.OpenConns != w.OpenConns || iv.StartNs != w.StartNs || iv.EndNs != w.EndNs {
			t.Fatalf("interval %d read back as %+v", i, iv.Counters)
		}
	}
}

func TestReadDirRebuildsResult(t *testing.T) {
	res := synthResult(5, 5, 2000)
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		g, w *hdrhistogram.Histogram
	}{{"latency", got.Latency, res.Latency}, {"service", got.Service, res.Service}, {"connect", got.Connect, res.Connect}, {"send_lag", got.SendLag, res.SendLag}} {
		if !p.g.Equals(p.w) {
			t.Errorf("%s histogram: %d values read, %d written", p.name, p.g.TotalCount(), p.w.TotalCount())
		}
	}
	if len(got.Intervals) != len(res.Intervals) {
		t.Fatalf("%d intervals, want %d", len(got.Intervals), len(res.Intervals))
	}
	for i := range got.Intervals {
		g, w := got.Intervals[i], res.Intervals[i]
		if g.StartNs != w.StartNs || g.EndNs != w.EndNs || !g.Latency.Equals(w.Latency) || g.Requests != w.Requests || g.Errors != w.Errors {
			t.Fatalf("interval %d differs", i)
		}
	}
	requireSameSummary(t, Summarize(got), Summarize(res))
}

// requireSameSummary compares summaries, times by instant.
func requireSameSummary(t *testing.T, got, want Summary) {
	t.Helper()
	if !got.Start.Equal(want.Start) {
		t.Fatalf("start %v, want %v", got.Start, want.Start)
	}
	got.Start = want.Start
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("summary:\n got %+v\nwant %+v", got, want)
	}
}

// Two runs saved and merged from their directories give exactly what
// merging them in memory gives, and the same percentiles as one histogram
// fed both runs' values.
func TestMergeOfSavedRunsIsExact(t *testing.T) {
	a, b := synthResult(6, 5, 1000), synthResult(7, 4, 3000)
	da, db := t.TempDir(), t.TempDir()
	if err := WriteDir(da, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(db, b); err != nil {
		t.Fatal(err)
	}
	ra, err := ReadDir(da)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := ReadDir(db)
	if err != nil {
		t.Fatal(err)
	}
	ra.Merge(rb)
	if got, want := ra.TLSResumed, a.TLSResumed+b.TLSResumed; got != want || want == 0 {
		t.Fatalf("merged tls_resumed %d, want the sum %d", got, want)
	}
	mem := synthResult(6, 5, 1000)
	mem.Merge(synthResult(7, 4, 3000))
	requireSameSummary(t, Summarize(ra), Summarize(mem))
	if !ra.Latency.Equals(mem.Latency) || !ra.Service.Equals(mem.Service) || !ra.Connect.Equals(mem.Connect) {
		t.Fatal("merged histograms differ from the in-memory merge")
	}
	if len(ra.Intervals) != 5 || ra.Intervals[3].Responses != mem.Intervals[3].Responses || !ra.Intervals[3].Latency.Equals(mem.Intervals[3].Latency) {
		t.Fatalf("merged intervals differ: %d", len(ra.Intervals))
	}

	one := NewHistogram()
	for _, r := range []*Result{a, b} {
		for _, bar := range r.Latency.Distribution() {
			if bar.Count > 0 {
				_ = one.RecordValues(bar.From, bar.Count)
			}
		}
	}
	for _, p := range []float64{50, 90, 99, 99.9, 99.99, 100} {
		if g, w := Quantile(ra.Latency, p), Quantile(one, p); g != w {
			t.Errorf("p%v = %d µs after merge, %d in one histogram", p, g, w)
		}
	}

	// The merged result saves and reads back as itself.
	dc := filepath.Join(t.TempDir(), "all")
	if err := WriteDir(dc, ra); err != nil {
		t.Fatal(err)
	}
	rc, err := ReadDir(dc)
	if err != nil {
		t.Fatal(err)
	}
	requireSameSummary(t, Summarize(rc), Summarize(mem))
}

// A result whose start was never set still saves and reads back.
func TestZeroStartRoundTrips(t *testing.T) {
	res := synthResult(9, 3, 1000)
	res.Start = time.Time{}
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Intervals) != 3 || got.Intervals[2].StartNs != 2e9+123_457 || got.Intervals[2].EndNs != 3e9+123_457 || !got.Intervals[2].Latency.Equals(res.Intervals[2].Latency) {
		t.Fatalf("intervals read back: %d, last %d..%d", len(got.Intervals), got.Intervals[len(got.Intervals)-1].StartNs, got.Intervals[len(got.Intervals)-1].EndNs)
	}
}

func TestResultFileErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := synthResult(8, 1, 1000)
	if err := WriteDir(file, res); !errors.Is(err, ErrOutNotDir) {
		t.Errorf("--out at a file: %v, want ErrOutNotDir", err)
	}
	if err := WriteDir(filepath.Join(file, "sub"), res); !errors.Is(err, ErrOutNotDir) {
		t.Errorf("--out under a file: %v, want ErrOutNotDir", err)
	}
	if _, err := ReadDir(tmp); !errors.Is(err, ErrNoResults) {
		t.Errorf("ReadDir of a dir without results: %v, want ErrNoResults", err)
	}
	old := filepath.Join(tmp, "old")
	if err := WriteDir(old, res); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(old, SummaryFile))
	b = bytes.Replace(b, []byte(`"schema_version": 1`), []byte(`"schema_version": 99`), 1)
	if err := os.WriteFile(filepath.Join(old, SummaryFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir(old); !errors.Is(err, ErrSchema) {
		t.Errorf("ReadDir of schema 99: %v, want ErrSchema", err)
	}
	b = bytes.Replace(b, []byte(`"schema_version": 99`), []byte(`"schema_version": 1`), 1)
	if err := os.WriteFile(filepath.Join(old, SummaryFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(old, HistLogFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir(old); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadDir without %s: %v, want ErrCorrupt", HistLogFile, err)
	}
	if os.Getuid() != 0 { // root writes anywhere
		ro := filepath.Join(tmp, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if err := WriteDir(ro, res); !errors.Is(err, ErrWriteFile) {
			t.Errorf("unwritable dir: %v, want ErrWriteFile", err)
		}
	}
}
