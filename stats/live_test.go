package stats

import "testing"

// TestLiveCountsCompleteSeconds: two recorders close the same seconds at
// different moments; a reading holds only the seconds both have closed,
// never one recorder's part of a second (which showed as a second of
// twice the rate, then one of none).
func TestLiveCountsCompleteSeconds(t *testing.T) {
	l := &Live{}
	l.Join()
	l.Join()
	iv := func(responses uint64) *Interval {
		var v Interval
		v.Requests, v.Responses = responses, responses
		return &v
	}
	steps := []struct {
		index     int
		responses uint64
		seconds   int
		total     uint64
		last      uint64
	}{
		{0, 100, 0, 0, 0},    // the first recorder closes second 0
		{1, 120, 0, 0, 0},    // and second 1, before the other closed 0
		{0, 50, 1, 150, 150}, // second 0 complete
		{1, 70, 2, 340, 190}, // second 1 complete
	}
	for i, s := range steps {
		l.AddInterval(s.index, iv(s.responses))
		got := l.Read()
		if got.Seconds != s.seconds || got.Responses != s.total || got.Requests != s.total || got.LastResponses != s.last {
			t.Fatalf("step %d: %d seconds, %d responses (%d requests), last %d; want %d, %d, %d",
				i, got.Seconds, got.Responses, got.Requests, got.LastResponses, s.seconds, s.total, s.last)
		}
	}
	l.AddOpen(3)
	if got := l.Read().OpenConns; got != 3 {
		t.Fatalf("open %d, want 3", got)
	}
}
