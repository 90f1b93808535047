package cmd

import (
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
)

// TestProgressLineShowsCompleteSeconds: the live line names the seconds
// every recorder has closed and the last one's responses as the rate, not
// its own clock's second with whatever part of it some loops had closed
// (it read "1s of 4s  0 req/s" a second behind, then a rate well above
// the average).
func TestProgressLineShowsCompleteSeconds(t *testing.T) {
	live := &stats.Live{}
	live.Join()
	live.Join()
	var iv stats.Interval
	iv.Responses = 30_000
	live.AddInterval(0, &iv) // one loop closed its first second
	tests := []struct {
		name    string
		elapsed time.Duration
		want    string
	}{
		{"warm-up", 1500 * time.Millisecond, "  warm-up 1s of 2s  0 open"},
		{"first second not closed by all", 3100 * time.Millisecond, "  0s of 4s  0 req/s  0 answered  0 errors  0 open"},
	}
	for _, tt := range tests {
		if got := progressLine(live.Read(), 2*time.Second, 4*time.Second, tt.elapsed); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	iv.Responses = 8_000
	live.AddInterval(0, &iv) // the other loop closes it
	want := "  1s of 4s  38,000 req/s  38,000 answered  0 errors  0 open"
	if got := progressLine(live.Read(), 2*time.Second, 4*time.Second, 3200*time.Millisecond); got != want {
		t.Errorf("first second closed by all: %q, want %q", got, want)
	}
}
