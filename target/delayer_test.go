package target

import (
	"fmt"
	"testing"
	"time"
)

// TestDelayerReleasesInDueOrder: sleeps begun out of order end in the
// order of their due times, none before its due time and none much after
// (the timer is set again to the earliest due whenever one is added or
// released). 20 ms apart, so that a loaded machine keeps the order.
func TestDelayerReleasesInDueOrder(t *testing.T) {
	closing := make(chan struct{})
	d, err := newDelayer(closing)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(closing)
		d.close()
	}()
	type release struct {
		ms   int
		late time.Duration
	}
	// round begins the sleeps and reports what it missed, or "". A sleep
	// that ends early fails at once; order and lateness are what a loaded
	// machine's late wake-ups can spoil, so one round of three must keep
	// them.
	round := func() string {
		order := []int{100, 20, 80, 40, 60}
		ended := make(chan release, len(order))
		for _, ms := range order {
			go func() {
				begin := time.Now()
				if !d.sleep(int64(ms) * int64(time.Millisecond)) {
					t.Error("a sleep was cut short")
				}
				ended <- release{ms, time.Since(begin) - time.Duration(ms)*time.Millisecond}
			}()
		}
		miss := ""
		for want := 20; want <= 100; want += 20 {
			var r release
			select {
			case r = <-ended:
			case <-time.After(5 * time.Second):
				t.Fatalf("the %d ms sleep never ended", want)
			}
			if r.late < 0 {
				t.Fatalf("the %d ms sleep ended %v early", r.ms, -r.late)
			}
			if (r.ms != want || r.late > 15*time.Millisecond) && miss == "" {
				miss = fmt.Sprintf("release %d ms (%v late), want the %d ms sleep, on time", r.ms, r.late, want)
			}
		}
		return miss
	}
	var miss string
	for try := range 3 {
		if miss = round(); miss == "" {
			return
		}
		t.Logf("round %d: %s", try, miss)
	}
	t.Fatalf("in all three rounds: %s", miss)
}
