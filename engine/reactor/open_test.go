package reactor

import (
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

func TestOpenFeedTakesItsShareInOrder(t *testing.T) {
	sched := engine.NewSchedule(1000, nil) // one request per ms
	f := newOpenFeed(sched, 3, 1, -1)      // requests 1, 4, 7, ...
	// Due times are float solutions: within a nanosecond.
	if f.ready(999_000) || !f.ready(1_000_001) {
		t.Fatalf("request 1 due at %d", f.due)
	}
	for i, want := range []int64{1e6, 4e6, 7e6} {
		if got := f.pop(); got < want-1 || got > want+1 {
			t.Errorf("pop %d = %d, want %d", i, got, want)
		}
	}
	// Due before 20 ms and not sent: requests 10, 13, 16, 19.
	if got := f.dropAll(20e6); got != 4 {
		t.Errorf("dropped %d, want 4", got)
	}
	if d, ok := f.nextDue(); !ok || d < 22e6-1 || d > 22e6+1 {
		t.Errorf("next due %d %v, want 22 ms", d, ok)
	}
}

func TestOpenFeedEndsWithTheStages(t *testing.T) {
	sched := engine.NewSchedule(0, []engine.Stage{{Duration: time.Second, Target: 2000}})
	f := newOpenFeed(sched, 1, 0, -1)
	n := f.dropAll(int64(2 * time.Second))
	if n < 995 || n > 1001 {
		t.Errorf("a 0 to 2000/s ramp over 1 s holds %d requests, want about 1000", n)
	}
	if _, ok := f.nextDue(); ok || f.ready(1<<62) {
		t.Error("the schedule goes on after its stages")
	}
}

func TestOpenFeedsCoverEveryRequestOnce(t *testing.T) {
	sched := engine.NewSchedule(100, []engine.Stage{{Duration: time.Second, Target: 3000}, {Duration: 0, Target: 500}, {Duration: time.Second, Target: 0}})
	total := sched.Total()
	for _, loops := range []int{1, 2, 3, 7} {
		seen := make([]int, total+2)
		var last int64 = -1
		for k := range loops {
			f := newOpenFeed(sched, loops, k, -1)
			for n := int64(k); ; n += int64(loops) {
				d, ok := f.nextDue()
				if !ok {
					break
				}
				if want, _ := sched.Due(n); d != want || f.pop() != d {
					t.Fatalf("%d loops: loop %d gives %d for request %d due at %d", loops, k, d, n, want)
				}
				seen[n]++
				last = max(last, n)
			}
		}
		for n := int64(0); n <= last; n++ {
			if seen[n] != 1 {
				t.Errorf("%d loops: request %d taken %d times", loops, n, seen[n])
			}
		}
		// Due and Total round the last request differently: one either way.
		if last+1 < total-1 || last+1 > total+1 {
			t.Errorf("%d loops: %d requests, schedule holds %d", loops, last+1, total)
		}
	}
}

func TestOpenFeedsStopAtTheLimit(t *testing.T) {
	sched := engine.NewSchedule(1000, nil)
	// 100 requests due in a 100 ms warm-up (0..99), then 250 more.
	limit := openLimit(&sched, 250, int64(99500*time.Microsecond))
	if limit != 350 {
		t.Fatalf("limit %d, want 350", limit)
	}
	if got := openLimit(&sched, 0, 1e9); got != -1 {
		t.Errorf("no request count gives limit %d, want -1", got)
	}
	var n uint64
	for k := range 3 {
		f := newOpenFeed(sched, 3, k, limit)
		n += f.dropAll(1 << 62)
		if !f.spent() {
			t.Errorf("loop %d not spent after its share", k)
		}
	}
	if n != 350 {
		t.Errorf("three loops hold %d requests, want 350", n)
	}
}

func TestOpenFeedDropsAnAbsurdRateAtOnce(t *testing.T) {
	// 1e12/s over 300 ms is 3e11 requests: counted, not popped one by one.
	sched := engine.NewSchedule(1e12, nil)
	total := uint64(0)
	for k := range 3 {
		f := newOpenFeed(sched, 3, k, -1)
		f.pop() // one of each loop's was sent
		total += f.dropAll(int64(300 * time.Millisecond))
		if d, ok := f.nextDue(); !ok || d < int64(300*time.Millisecond) {
			t.Errorf("loop %d: next due %d %v, want at or after the end", k, d, ok)
		}
	}
	if want := uint64(engine.FirstAt(&sched, int64(300*time.Millisecond))) - 3; total != want {
		t.Errorf("dropped %d, want %d", total, want)
	}
}
