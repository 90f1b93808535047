package stats

import (
	"fmt"
	"testing"
	"time"
)

// runAt builds a closed-model run of secs one-second intervals of perSec
// responses each, started at start, as a loop records it.
func runAt(start time.Time, secs, perSec int) *Result {
	rec := NewRecorder()
	rec.EndWarmup(0)
	for s := 1; s <= secs; s++ {
		for i := 0; i < perSec; i++ {
			rec.RecordSent(1, 100)
			rec.RecordResponse(200, int64(500+i)*1000, int64(500+i)*1000)
		}
		rec.CloseInterval(int64(s)*1e9, 10)
	}
	res := NewResult()
	res.AddRecorder(rec)
	res.Mode, res.Model, res.Connections, res.Loops = "async", "closed", 10, 1
	res.Start, res.Elapsed = start, time.Duration(secs)*time.Second
	return res
}

// Runs started a fraction of a second or more than a second apart merge
// into one-second intervals on whole seconds that neither overlap nor go
// back in time, whose counts add up, and a rate that is the sum of the
// runs' rates (they ran side by side), whichever run is merged into which.
func TestMergeAlignsIntervalsOnWholeSeconds(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 22, 0, 0, 100_000_000, time.UTC)
	for _, tc := range []struct {
		offset time.Duration
		counts []uint64 // responses per merged second
	}{
		{300 * time.Millisecond, []uint64{6000, 6000}},
		{1400 * time.Millisecond, []uint64{3000, 6000, 3000}},
		{2600 * time.Millisecond, []uint64{3000, 3000, 0, 3000, 3000}}, // no shared second: a gap, not an overlap
	} {
		for _, order := range []string{"early first", "late first"} {
			t.Run(fmt.Sprintf("%v %s", tc.offset, order), func(t *testing.T) {
				m, o := runAt(t0, 2, 3000), runAt(t0.Add(tc.offset), 2, 3000)
				if order == "late first" {
					m, o = o, m
				}
				m.Merge(o)
				if !m.Start.Equal(t0) || m.Elapsed != 2*time.Second {
					t.Errorf("start %v, elapsed %v; want %v, 2s", m.Start, m.Elapsed, t0)
				}
				if len(m.Intervals) != len(tc.counts) {
					t.Fatalf("%d intervals, want %d", len(m.Intervals), len(tc.counts))
				}
				var total uint64
				for i, iv := range m.Intervals {
					if iv.StartNs != int64(i)*1e9 || iv.EndNs != int64(i+1)*1e9 {
						t.Errorf("interval %d covers %d..%d ns, want %d..%d", i, iv.StartNs, iv.EndNs, int64(i)*1e9, int64(i+1)*1e9)
					}
					if iv.Responses != tc.counts[i] || uint64(iv.Latency.TotalCount()) != tc.counts[i] {
						t.Errorf("interval %d: %d responses, %d latencies; want %d", i, iv.Responses, iv.Latency.TotalCount(), tc.counts[i])
					}
					total += iv.Responses
				}
				s := Summarize(m)
				if total != s.Responses || s.RequestsPerSec != 6000 {
					t.Errorf("intervals add to %d of %d responses; %.0f req/s, want 6000 (3000 + 3000)", total, s.Responses, s.RequestsPerSec)
				}
			})
		}
	}
}

// TestMergeKeepsTheSaturationVerdict: a saturated run makes the merge
// saturated, with its reason; otherwise a note that one run carries (its
// sends waited on a target holding every connection) is kept. The queue
// peaks add: the runs ran side by side. A saturated run that kept its
// rate gives way to one that did not.
func TestMergeKeepsTheSaturationVerdict(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	note := Saturation{Note: "sends waited for a free connection", QueuePeak: 5}
	sat := Saturation{Saturated: true, Reason: "generator CPU", QueuePeak: 7}
	late := Saturation{Saturated: true, Reason: "sends lagged, though the rate was kept", RateKept: true, QueuePeak: 2}
	tests := []struct {
		a, b, want Saturation
	}{
		{Saturation{QueuePeak: 1}, note, Saturation{Note: note.Note, QueuePeak: 6}},
		{note, Saturation{QueuePeak: 1}, Saturation{Note: note.Note, QueuePeak: 6}},
		{note, sat, Saturation{Saturated: true, Reason: sat.Reason, QueuePeak: 12}},
		{sat, note, Saturation{Saturated: true, Reason: sat.Reason, QueuePeak: 12}},
		// The merged load kept its rate only if every saturated run did.
		{late, sat, Saturation{Saturated: true, Reason: sat.Reason, QueuePeak: 9}},
		{sat, late, Saturation{Saturated: true, Reason: sat.Reason, QueuePeak: 9}},
		{late, note, Saturation{Saturated: true, Reason: late.Reason, RateKept: true, QueuePeak: 7}},
		{late, late, Saturation{Saturated: true, Reason: late.Reason, RateKept: true, QueuePeak: 4}},
	}
	for i, tt := range tests {
		a, b := runAt(start, 1, 10), runAt(start, 1, 10)
		a.Saturation, b.Saturation = tt.a, tt.b
		a.Merge(b)
		if a.Saturation != tt.want {
			t.Errorf("%d: merged %+v and %+v into %+v, want %+v", i, tt.a, tt.b, a.Saturation, tt.want)
		}
	}
}

// A merge of runs in several modes says so: its mode names them all, once
// each, and it counts no event loops, since sync and goroutine runs have
// none and a sum of some runs' loops would describe none of them.
func TestMergeOfModesRecordsThemAll(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		modes []string
		mode  string
		loops int
	}{
		{[]string{"async", "async"}, "async", 2},
		{[]string{"sync", "sync"}, "sync", 2},
		{[]string{"async", "sync"}, "async+sync", 0},
		{[]string{"sync", "async", "async"}, "sync+async", 0},
		{[]string{"async", "sync", "async", "goroutine"}, "async+sync+goroutine", 0},
	} {
		merged := runAt(t0, 2, 10)
		merged.Mode = tc.modes[0]
		for i, m := range tc.modes[1:] {
			r := runAt(t0.Add(time.Duration(i+1)*time.Millisecond), 2, 10)
			r.Mode = m
			merged.Merge(r)
		}
		if merged.Mode != tc.mode || merged.Loops != tc.loops {
			t.Errorf("merge of %v: mode %q, %d loops; want %q, %d", tc.modes, merged.Mode, merged.Loops, tc.mode, tc.loops)
		}
	}
}

// The merged connections were all open at once when the later of the two
// runs had all its own open, counted from the merged start (the earlier
// start, less the kept warm-up): two runs that each had all open 50 ms
// in, one started 1 s after the other, were all open 1.05 s after the
// merged start, whichever is merged into which. Never, when a run never
// had all open or had ended before the other did.
func TestMergeAllOpenFromTheMergedStart(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 22, 0, 0, 100_000_000, time.UTC)
	ms := time.Millisecond
	type run struct {
		offset, warmup, established time.Duration
		secs                        int
	}
	for _, tc := range []struct {
		name string
		a, b run
		want time.Duration // from the merged start, a's warm-up included
	}{
		{"1s apart", run{0, 0, 50 * ms, 3}, run{time.Second, 0, 50 * ms, 3}, 1050 * ms},
		{"later run opened first", run{0, 0, 900 * ms, 3}, run{300 * ms, 0, 20 * ms, 3}, 900 * ms},
		{"warm-ups", run{0, time.Second, 50 * ms, 3}, run{time.Second, time.Second, 1500 * ms, 3}, 2500 * ms},
		{"b never all open", run{0, 0, 50 * ms, 3}, run{time.Second, 0, 0, 3}, 0},
		{"a ended first", run{0, 0, 50 * ms, 2}, run{1500 * ms, 0, 800 * ms, 3}, 0},
	} {
		for _, order := range []string{"a into b", "b into a"} {
			t.Run(tc.name+", "+order, func(t *testing.T) {
				mk := func(r run) *Result {
					res := runAt(t0.Add(r.offset), r.secs, 10)
					res.Warmup, res.EstablishedIn, res.PeakOpenConns = r.warmup, r.established, res.Connections
					return res
				}
				a, b := mk(tc.a), mk(tc.b)
				if order == "a into b" { // the warm-ups are equal: the merge keeps the receiver's
					b.Merge(a)
					a = b
				} else {
					a.Merge(b)
				}
				if a.EstablishedIn != tc.want {
					t.Errorf("all open after %v from the merged start; want %v", a.EstablishedIn, tc.want)
				}
			})
		}
	}
}

// The connections asked for add up as the connections do, a run that
// opened those asked for counting its own: a counted run lowered from 50
// to 5 merged with one of 10 asked 60 and opened 15; runs that were not
// lowered say nothing.
func TestMergeAddsTheConnectionsAsked(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	for _, order := range []string{"lowered first", "lowered last"} {
		a, b := runAt(t0, 1, 5), runAt(t0, 1, 5)
		a.Connections, a.ConnectionsAsked = 5, 50
		if order == "lowered last" {
			a, b = b, a
		}
		a.Merge(b)
		if a.Connections != 15 || a.ConnectionsAsked != 60 {
			t.Errorf("%s: %d connections, %d asked; want 15 and 60", order, a.Connections, a.ConnectionsAsked)
		}
	}
	plain := runAt(t0, 1, 5)
	plain.Merge(runAt(t0, 1, 5))
	if plain.Connections != 20 || plain.ConnectionsAsked != 0 {
		t.Errorf("%d connections, %d asked; want 20 and 0", plain.Connections, plain.ConnectionsAsked)
	}
}
