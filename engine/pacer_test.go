package engine

import (
	"slices"
	"sync"
	"testing"
)

func TestPacerSlotsFollowTheFirstConnects(t *testing.T) {
	p := NewPacer(1000, 100) // 1 ms apart; the first connects take 0..99 ms
	ms := int64(1e6)
	for i, c := range []struct{ earliest, want int64 }{
		{0, 100 * ms},        // after the first connects, though asked at 0
		{0, 101 * ms},        // the next slot
		{500 * ms, 500 * ms}, // asked later than the next slot: at once
		{0, 501 * ms},
	} {
		if got := p.Reserve(c.earliest); got != c.want {
			t.Fatalf("reservation %d at %d ms: slot %d ms, want %d", i, c.earliest/ms, got/ms, c.want/ms)
		}
	}
	if NewPacer(0, 100) != nil || (*Pacer)(nil).Reserve(7) != 7 {
		t.Fatal("no rate must mean no pacing")
	}
}

func TestPacerSlotsAreDistinctUnderContention(t *testing.T) {
	p := NewPacer(1e6, 0) // 1 µs apart
	const workers, each = 8, 1000
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]int64, 0, each)
			for range each {
				mine = append(mine, p.Reserve(0))
			}
			mu.Lock()
			got = append(got, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(got)
	for i := 1; i < len(got); i++ {
		if got[i]-got[i-1] != 1000 {
			t.Fatalf("slots %d and %d are %d ns apart, want 1000", i-1, i, got[i]-got[i-1])
		}
	}
}
