package engine

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	b := NewBudget(1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for b.Take(false) {
				n++
			}
			mu.Lock()
			taken += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if taken != 1000 || !b.Exhausted() || !b.Take(true) {
		t.Fatalf("taken %d, exhausted %v; want exactly 1000, and warm-up requests free", taken, b.Exhausted())
	}
	if u := NewBudget(0); !u.Take(false) || u.Exhausted() {
		t.Fatal("a zero budget must not limit")
	}
}

// TestBudgetGivenBack: requests that connections which cannot connect
// take and give back are sent by the one that can, which waits rather than
// end while the others hold some; every connection ends once the budget
// is spent, and Wait says so.
func TestBudgetGivenBack(t *testing.T) {
	const n = 1000
	b := NewBudget(n)
	stop := make(chan struct{})
	var sent atomic.Int64
	var wg sync.WaitGroup
	worker := func(canSend bool) {
		defer wg.Done()
		for {
			if !b.Take(false) {
				if !b.Wait(stop) {
					return
				}
				continue
			}
			if canSend {
				sent.Add(1)
				b.Sent(false)
			} else {
				b.GiveBack(false)
			}
		}
	}
	wg.Add(4)
	go worker(true)
	for range 3 {
		go worker(false)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		close(stop)
		<-done
		t.Fatalf("the connections did not end: %d of %d sent", sent.Load(), n)
	}
	if sent.Load() != n || !b.Spent() || !b.Exhausted() || b.Wait(stop) {
		t.Fatalf("sent %d, spent %v, exhausted %v; want %d, true, true, and Wait false", sent.Load(), b.Spent(), b.Exhausted(), n)
	}

	held := NewBudget(1)
	if !held.Take(false) || held.Take(false) || held.Spent() {
		t.Fatal("a budget of 1 gives one request, and is not spent while it is held")
	}
	back := make(chan bool)
	go func() { back <- held.Wait(stop) }()
	held.GiveBack(false)
	if !<-back || !held.Take(false) {
		t.Fatal("Wait must return true once a request is given back, and Take then find it")
	}
	go func() { back <- held.Wait(stop) }()
	held.Sent(false)
	if <-back || !held.Spent() {
		t.Fatal("Wait must return false once the last request is sent")
	}
}
