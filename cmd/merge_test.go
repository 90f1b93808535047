package cmd

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// mergeStart is when the runs of the merge tests began.
var mergeStart = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)

// savedRunAt saves a run of secs seconds, 400 responses each, that began
// at start against target, with 2 loops, and returns its directory.
func savedRunAt(t *testing.T, name string, start time.Time, target string, secs int) string {
	t.Helper()
	return savedModelRunAt(t, name, start, target, secs, "closed")
}

// savedModelRunAt is savedRunAt for a run of the load model model.
func savedModelRunAt(t *testing.T, name string, start time.Time, target string, secs int, model string) string {
	t.Helper()
	return savedModeRunAt(t, name, start, target, secs, model, "async")
}

// savedModeRunAt is savedModelRunAt for a run in mode (with no loops
// unless async).
func savedModeRunAt(t *testing.T, name string, start time.Time, target string, secs int, model, mode string) string {
	t.Helper()
	return savedRunWith(t, name, start, target, secs, model, mode, func(*stats.Result) {})
}

// savedRunWith is savedModeRunAt with edit applied to the result before
// it is saved.
func savedRunWith(t *testing.T, name string, start time.Time, target string, secs int, model, mode string, edit func(*stats.Result)) string {
	t.Helper()
	rec := stats.NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= secs; s++ {
		for i := 0; i < 400; i++ {
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, int64(500+i)*1000, int64(500+i)*1000)
		}
		rec.CloseInterval(int64(s)*1e9, 8)
	}
	res := stats.NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Target, res.Connections = mode, model, target, 8
	if mode == "async" {
		res.Loops = 2
	}
	res.Start, res.Elapsed = start, time.Duration(secs)*time.Second
	edit(res)
	dir := filepath.Join(t.TempDir(), name)
	if err := stats.WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	return dir
}

// merge refuses, with one line and exit 2, what cannot be one load: a
// directory twice, a copy of a run beside it, runs that did not overlap,
// runs of different load models, runs against different targets (unless
// --mixed-targets).
func TestMergeRefusesRunsThatCannotCombine(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	a := savedRunAt(t, "a", mergeStart, tgt, 2)
	b := savedRunAt(t, "b", mergeStart.Add(time.Second), tgt, 2)
	late := savedRunAt(t, "late", mergeStart.Add(23*time.Second), tgt, 2)
	other := savedRunAt(t, "other", mergeStart.Add(time.Millisecond), "http://127.0.0.2:1/", 2)
	copied := savedRunAt(t, "copy", mergeStart, tgt, 2) // a's start, to the nanosecond
	open := savedModelRunAt(t, "open", mergeStart.Add(time.Millisecond), tgt, 2, "open")
	out := func() string { return filepath.Join(t.TempDir(), "m") }
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"same directory twice", []string{"merge", a, b, a}, []string{a + " is given twice", "doubled"}},
		{"same directory by two paths", []string{"merge", a, a + "/."}, []string{"is given twice"}},
		{"runs 21 s apart", []string{"merge", a, late}, []string{late + " started at", "21s after " + a + " ended", "do not overlap"}},
		{"runs 21 s apart, other order", []string{"merge", late, a}, []string{late + " started at", "21s after " + a + " ended"}},
		{"a copy of a run", []string{"merge", a, b, copied}, []string{a + " and " + copied + " hold the same run", "doubled"}},
		{"closed and open", []string{"merge", a, open}, []string{a + " ran the closed model but " + open + " ran the open model", "response times", "intended send"}},
		{"open and closed", []string{"merge", open, a}, []string{open + " ran the open model but " + a + " ran the closed model"}},
		{"different targets", []string{"merge", a, other}, []string{"http://127.0.0.2:1/", tgt, "--mixed-targets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, append(tc.args, "--out", out())...)
			if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d (want %d), stderr %q, stdout %.200s", code, ExitUsage, stderr, stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	stdout, stderr, code := runCLI(t, "merge", a, other, "--mixed-targets", "--json", "--out", out())
	var s stats.Summary
	if code != ExitOK || json.Unmarshal([]byte(stdout), &s) != nil || !strings.Contains(stderr, "--mixed-targets") {
		t.Fatalf("--mixed-targets: exit %d, stderr %q", code, stderr)
	}
	if s.Target != tgt+", http://127.0.0.2:1/" || s.Responses != 1600 {
		t.Errorf("--mixed-targets merged target %q, %d responses", s.Target, s.Responses)
	}
}

// merge lines runs up on the wall clock whatever the order they are
// given in: the earliest start, seconds matched by time, loops summed, and
// the longest run's duration (the runs ran side by side).
func TestMergeAlignsRunsOnTheWallClock(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	a := savedRunAt(t, "a", mergeStart, tgt, 3)
	b := savedRunAt(t, "b", mergeStart.Add(2*time.Second), tgt, 3)
	var outs []string
	var sums []stats.Summary
	for _, args := range [][]string{{a, b}, {b, a}} {
		out := filepath.Join(t.TempDir(), "m")
		stdout, stderr, code := runCLI(t, "merge", args[0], args[1], "--json", "--out", out)
		var s stats.Summary
		if code != ExitOK || json.Unmarshal([]byte(stdout), &s) != nil {
			t.Fatalf("merge %v: exit %d: %s", args, code, stderr)
		}
		outs, sums = append(outs, out), append(sums, s)
	}
	for i, s := range sums {
		if !s.Start.Equal(mergeStart) || s.Target != tgt || s.Loops != 4 || s.Responses != 2400 || s.DurationSec != 3 {
			t.Errorf("merge %d: start %v, target %q, loops %d, %d responses, %v s; want %v, %q, 4, 2400, 3 s",
				i, s.Start, s.Target, s.Loops, s.Responses, s.DurationSec, mergeStart, tgt)
		}
		res, err := stats.ReadDir(outs[i])
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, iv := range res.Intervals {
			got = append(got, iv.Responses)
		}
		// a covers seconds 1-3, b seconds 3-5: only the third is shared.
		if want := []uint64{400, 400, 800, 400, 400}; !equalCounts(got, want) {
			t.Errorf("merge %d: responses per second %v, want %v", i, got, want)
		}
	}
}

// merge says the connections of two runs were all open at once when the
// later run had all its own open, from the merged start: runs of 8
// connections each all open 30 ms in, the second started 1 s after the
// first, were 16 all open 1.03 s after the merged start (not 30 ms), in
// summary.json and the report; and never, when one run never had all
// its connections open.
func TestMergeAllOpenFromTheMergedStart(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	opened := func(in time.Duration) func(*stats.Result) {
		return func(r *stats.Result) {
			r.EstablishedIn, r.PeakOpenConns, r.Connects = in, r.Connections, uint64(r.Connections)
		}
	}
	a := savedRunWith(t, "a", mergeStart, tgt, 3, "closed", "async", opened(30*time.Millisecond))
	b := savedRunWith(t, "b", mergeStart.Add(time.Second), tgt, 3, "closed", "async", opened(30*time.Millisecond))
	never := savedRunWith(t, "never", mergeStart.Add(time.Second), tgt, 3, "closed", "async", opened(0))
	for _, tc := range []struct {
		runs []string
		sec  float64
		text string
	}{
		{[]string{a, b}, 1.03, ", all open after 1.03s"},
		{[]string{b, a}, 1.03, ", all open after 1.03s"},
		{[]string{a, never}, 0, ", never all open at once"},
	} {
		out := filepath.Join(t.TempDir(), "m")
		stdout, stderr, code := runBin(t, "merge", tc.runs[0], tc.runs[1], "--out", out)
		if code != ExitOK || !strings.Contains(stdout, tc.text) {
			t.Errorf("merge %v: exit %d; want the report to say %q\n%s%s", tc.runs, code, tc.text, stdout, stderr)
		}
		s, err := stats.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := stats.Summarize(s).EstablishedSec; math.Abs(got-tc.sec) > 1e-6 {
			t.Errorf("merge %v: all_established_s %v; want %v", tc.runs, got, tc.sec)
		}
	}
}

func equalCounts(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A merge of an async run and a sync run says what it is wherever it is
// read: mode async+sync and no loops in summary.json, in the merge's own
// report and in report's, with one note; not "async mode ... 4 loops".
func TestMergeOfModesSaysSo(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	a := savedModeRunAt(t, "a", mergeStart, tgt, 2, "closed", "async")
	b := savedModeRunAt(t, "b", mergeStart.Add(time.Millisecond), tgt, 2, "closed", "sync")
	out := filepath.Join(t.TempDir(), "m")
	stdout, stderr, code := runCLI(t, "merge", b, a, "--out", out)
	if code != ExitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if want := "async+sync mode, closed model, 16 connections against"; !strings.Contains(stdout, want) {
		t.Errorf("merge printed %.200q; want %q", stdout, want)
	}
	if want := "nowait: note: the runs ran in async and sync modes; merged as mode async+sync"; strings.TrimSpace(stderr) != want+", with no count of loops" {
		t.Errorf("stderr %q; want one note %q", stderr, want)
	}
	s, err := stats.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != "async+sync" || s.Loops != 0 || s.Responses != 1600 {
		t.Errorf("summary.json: mode %q, %d loops, %d responses; want async+sync, 0, 1600", s.Mode, s.Loops, s.Responses)
	}
	stdout, _, code = runCLI(t, "report", out)
	if code != ExitOK || !strings.Contains(stdout, "async+sync mode, closed model, 16 connections against") || strings.Contains(stdout, "loop") {
		t.Errorf("report: exit %d, %.200q; want async+sync mode and no loops", code, stdout)
	}
}

// merge checks --out before it reads a run or says anything about them:
// a file as --out is one line, the error alone.
func TestMergeChecksOutFirst(t *testing.T) {
	const tgt = "http://127.0.0.1:1/"
	a := savedModeRunAt(t, "a", mergeStart, tgt, 2, "closed", "async")
	b := savedModeRunAt(t, "b", mergeStart.Add(time.Millisecond), tgt, 2, "closed", "sync")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{a, b}, {a, filepath.Join(t.TempDir(), "missing")}} {
		_, stderr, code := runCLI(t, append([]string{"merge", "--out", file}, args...)...)
		want := "nowait: --out " + file + " is a file, not a directory"
		if code != ExitUsage || !strings.HasPrefix(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("merge %v --out FILE: exit %d, stderr %q; want %d and one line %q", args, code, stderr, ExitUsage, want)
		}
	}
}
