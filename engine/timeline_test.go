package engine

import (
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

func TestTimeline(t *testing.T) {
	const s = IntervalNs
	tests := []struct {
		name      string
		warmup    time.Duration
		events    []int64 // run-clock times of responses
		endNs     int64
		wantIvs   []uint64 // responses per interval
		wantWarm  uint64   // responses in the warm-up
		wantEndNs int64    // end of the last interval
	}{
		{"one second, sliver", 0, []int64{1, s / 2, s + 1}, s + 10, []uint64{2, 1}, 0, s + 10},
		{"exact seconds", 0, []int64{1, s + 1}, 2 * s, []uint64{1, 1}, 0, 2 * s},
		{"owner slept through seconds", 0, []int64{1, 3*s + 5}, 4 * s, []uint64{1, 0, 0, 1}, 0, 4 * s},
		{"warm-up excluded", time.Duration(s / 2), []int64{1, s/2 - 1, s/2 + 1, s + s/2 + 1}, 2 * s, []uint64{1, 1}, 2, 3 * s / 2},
		{"ended in the warm-up", time.Duration(s), []int64{1, 2}, s / 2, nil, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := stats.NewRecorder()
			live := &stats.Live{}
			tl := NewTimeline(rec, tt.warmup, 0, live)
			for _, ev := range tt.events {
				tl.Advance(ev, 1)
				rec.RecordResponse(200, 1000, 1000)
			}
			tl.Finish(tt.endNs, 1)
			if len(rec.Intervals) != len(tt.wantIvs) {
				t.Fatalf("%d intervals, want %d", len(rec.Intervals), len(tt.wantIvs))
			}
			var total uint64
			for i, iv := range rec.Intervals {
				if iv.Responses != tt.wantIvs[i] {
					t.Errorf("interval %d: %d responses, want %d", i, iv.Responses, tt.wantIvs[i])
				}
				total += iv.Responses
			}
			if rec.Warmup.Responses != tt.wantWarm || rec.Responses != total {
				t.Errorf("warm-up %d, measured %d; want %d, %d", rec.Warmup.Responses, rec.Responses, tt.wantWarm, total)
			}
			if n := len(rec.Intervals); n > 0 && rec.Intervals[n-1].EndNs != tt.wantEndNs {
				t.Errorf("last interval ends at %d, want %d", rec.Intervals[n-1].EndNs, tt.wantEndNs)
			}
			if live.Read().Responses != total {
				t.Errorf("live saw %d responses, want %d", live.Read().Responses, total)
			}
		})
	}
}

// A run that ends on a second boundary still counts, in its intervals,
// what was recorded after the last one closed: a response its owner read
// after the end, the open model's dropped requests counted by whoever
// joined the owner. The intervals add up to the totals.
func TestTimelineCountsStragglersInTheLastInterval(t *testing.T) {
	const s = IntervalNs
	for _, warmup := range []time.Duration{0, time.Duration(s / 2)} {
		rec := stats.NewRecorder()
		live := &stats.Live{}
		planned := int64(warmup) + 2*s
		tl := NewTimeline(rec, warmup, planned, live)
		for _, ev := range []int64{int64(warmup) + 1, int64(warmup) + s + 1, planned + 5} {
			tl.Advance(ev, 3) // the last is clamped to the planned end, which closes the second interval
			rec.RecordResponse(200, 1000, 1000)
		}
		rec.Dropped += 7
		tl.Finish(planned, 2)
		if len(rec.Intervals) != 2 {
			t.Fatalf("warm-up %v: %d intervals, want 2", warmup, len(rec.Intervals))
		}
		last := rec.Intervals[1]
		if last.Responses != 2 || last.Dropped != 7 || last.Latency.TotalCount() != 2 || last.OpenConns != 2 || last.EndNs != 2*s {
			t.Errorf("warm-up %v: last interval %d responses, %d dropped, %d latencies, %d open, ends at %d; want 2, 7, 2, 2, %d",
				warmup, last.Responses, last.Dropped, last.Latency.TotalCount(), last.OpenConns, last.EndNs, 2*s)
		}
		if got := live.Read(); got.Responses != 2 {
			t.Errorf("warm-up %v: live saw %d responses; want 2 (a second is added once)", warmup, got.Responses)
		}
	}
}

func TestRecorderGroupClampsLateEvents(t *testing.T) {
	g := NewRecorderGroup(0, 0, nil)
	g.Lock(10).RecordResponse(200, 1000, 1000)
	g.Unlock()
	g.End(IntervalNs / 2)
	g.Lock(5*IntervalNs).RecordResponse(200, 1000, 1000) // a member finishing late
	g.Unlock()
	rec := g.Finish(IntervalNs/2, 0)
	if len(rec.Intervals) != 1 || rec.Intervals[0].Responses != 2 {
		t.Fatalf("intervals %d; want one holding both responses", len(rec.Intervals))
	}
}

// The goroutine that ends a run may run a second or more after its planned
// end on a loaded machine; a member or the stats ticker that records
// meanwhile must not close an interval past the planned end, or the
// groups' intervals stop merging by index (the last interval of a 2000-
// connection hold run once showed one group's 250 connections open).
func TestRecorderGroupsAgreeWhenTheEndIsNoticedLate(t *testing.T) {
	const planned = 3 * IntervalNs
	early, late := NewRecorderGroup(0, planned, nil), NewRecorderGroup(0, planned, nil)
	for _, g := range []*RecorderGroup{early, late} {
		g.Lock(10)
		g.AddOpen(5)
		g.Unlock()
	}
	late.Lock(4*IntervalNs + IntervalNs/2) // the ticker, 1.5 s after the planned end, before End
	late.Unlock()
	var recs []*stats.Recorder
	for _, g := range []*RecorderGroup{early, late} {
		g.End(planned)
		recs = append(recs, g.Finish(planned, 5))
	}
	for i, rec := range recs {
		n := len(rec.Intervals)
		if last := rec.Intervals[n-1]; n != 3 || last.EndNs != planned || last.OpenConns != 5 {
			t.Fatalf("group %d: %d intervals, the last ending at %d with %d open; want 3, the last ending at %d with 5 open",
				i, n, last.EndNs, last.OpenConns, planned)
		}
	}
}

func TestGaugePeak(t *testing.T) {
	var g Gauge
	g.Add(3)
	g.Add(-2)
	g.Add(1)
	if g.Load() != 2 || g.Peak() != 3 {
		t.Fatalf("load %d peak %d; want 2, 3", g.Load(), g.Peak())
	}
}
