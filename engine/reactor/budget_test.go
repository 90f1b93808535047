package reactor

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wakeCount counts the wake-ups a loop got.
type wakeCount struct{ n atomic.Int64 }

func (w *wakeCount) wake() error { w.n.Add(1); return nil }

func TestPoolMaxChunk(t *testing.T) {
	for _, tt := range []struct {
		total int64
		loops int
		max   int64
	}{
		{1, 2, 1}, {3000, 2, 23}, {1_000_000, 2, maxChunk}, {100, 8, 1},
	} {
		if got := newPool(tt.total, tt.loops).maxChunk; got != tt.max {
			t.Errorf("newPool(%d, %d).maxChunk = %d, want %d", tt.total, tt.loops, got, tt.max)
		}
	}
	if newPool(0, 2) != nil {
		t.Error("no limit must give no pool")
	}
}

// TestChunkFollowsThePace: a loop that spends its chunks fast claims
// bigger ones, a few times a millisecond at most; a slow one claims one
// request at a time; one that slows down once the pool is empty puts
// back half of what it holds at each sweep, for the others.
func TestChunkFollowsThePace(t *testing.T) {
	p := newPool(1_000_000, 1)
	f := newClosedFeed(1, p, 0, 1)
	now, claims := int64(0), 0
	for range 100_000 { // one request every 2 us: 500,000 a second
		now += 2000
		left := p.left.Load()
		f.take(0, false, now)
		if p.left.Load() != left {
			claims++
		}
	}
	perMs := float64(claims) * float64(time.Millisecond) / float64(now)
	if f.chunk < maxChunk/2 || perMs > 4 {
		t.Errorf("fast loop: chunk %d, %.1f claims a millisecond; want %d or more, at most 4", f.chunk, perMs, maxChunk/2)
	}

	slow := newClosedFeed(1, p, 0, 1)
	for range 20 { // one request every 50 ms
		now += int64(50 * time.Millisecond)
		slow.take(0, false, now)
	}
	if slow.chunk != 1 || slow.budget != 0 {
		t.Errorf("slow loop: chunk %d, holding %d; want 1 and 0", slow.chunk, slow.budget)
	}

	held := f.budget
	f.trim(now) // the pool is not empty: nobody waits
	if f.budget != held {
		t.Fatalf("trimmed from %d to %d with requests in the pool", held, f.budget)
	}
	p.claim(p.left.Load(), false) // the other loops took the rest of the pool
	var others int64
	for range 20 {
		now += int64(25 * time.Millisecond)
		f.trim(now)
		others += p.claim(p.left.Load(), false) // and take what is put back
	}
	if f.budget > 1 || f.chunk != 1 || others+f.budget != held {
		t.Errorf("slowed loop holds %d of %d, chunk %d, put back %d; want 1 or none, 1, the rest", f.budget, held, f.chunk, others)
	}
}

// TestFeedsShareThePool: two loops' feeds take the whole budget between
// them whatever their pace, claiming a chunk at a time; one that stops
// gives back what it claimed and did not start, which the other takes.
func TestFeedsShareThePool(t *testing.T) {
	p := newPool(1000, 2)
	a, b := newClosedFeed(1, p, 0, 1), newClosedFeed(1, p, 1, 1)
	now := int64(time.Second)
	for range 5 { // a claims fast: its chunk grows
		now += 1000
		a.budget = 0
		a.take(0, false, now)
	}
	if a.budget < 2 || a.holding != true || p.holders != 1 {
		t.Fatalf("a holds %d (holding %v, holders %d); want a chunk", a.budget, a.holding, p.holders)
	}
	given := 1000 - p.left.Load() - a.budget // what a "sent"
	sent := given
	for b.take(0, false, now) == 1 {
		now += 1000
		sent++ // b is the fast one: it takes all the rest
	}
	if sent != 1000-a.budget || !b.exhausted() || !b.starved || !p.hungry[1].Load() {
		t.Fatalf("sent %d, a holds %d; b exhausted %v, starved %v", sent, a.budget, b.exhausted(), b.starved)
	}
	w := new(wakeCount)
	p.wakers[1] = w
	held := a.budget
	a.putBack() // a's connects fail: what it holds goes to b
	if p.left.Load() != held || a.holding || w.n.Load() != 1 {
		t.Fatalf("pool %d after a put back %d, a holding %v, b woken %d times", p.left.Load(), held, a.holding, w.n.Load())
	}
	b.fed()
	for b.take(0, false, now) == 1 {
		sent++
	}
	if sent != 1000 {
		t.Errorf("%d sent, want 1000", sent)
	}
	if st := a.settle(); st != budgetHeld || !a.starved {
		t.Errorf("a sees %d (starved %v) while b holds requests, want budgetHeld, starved", st, a.starved)
	}
	if st := b.settle(); st != budgetSpent || p.holders != 0 || w.n.Load() != 2 {
		t.Errorf("b sees %d, holders %d, woken %d once all are done; want budgetSpent, 0, 2", st, p.holders, w.n.Load())
	}
}

// TestPoolUnderRace: loops claiming and putting back at once never take
// more than the budget, nor lose any.
func TestPoolUnderRace(t *testing.T) {
	const total, loops = 100_000, 4
	p := newPool(total, loops)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for i := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newClosedFeed(4, p, i, 1)
			for n := int64(0); ; n++ {
				k := f.take(0, false, n*100)
				if k == 0 {
					if f.settle() == budgetSpent {
						return
					}
					continue
				}
				if n%7 == 0 {
					f.giveBack(k) // a Connection: close took them back
					f.putBack()
					continue
				}
				sent.Add(int64(k))
			}
		}()
	}
	wg.Wait()
	if sent.Load() != total || p.left.Load() != 0 || p.holders != 0 {
		t.Errorf("sent %d, left %d, holders %d; want %d, 0, 0", sent.Load(), p.left.Load(), p.holders, total)
	}
}

// TestClaimsWholeTurnsOfTheMix: loops claim whole turns of a small mix
// rotation, so that each sends a whole number of turns, whatever their
// paces, and a budget of whole turns keeps the weights exactly.
func TestClaimsWholeTurnsOfTheMix(t *testing.T) {
	p := newPool(5000, 2)
	a, b := newClosedFeed(4, p, 0, 5), newClosedFeed(4, p, 1, 5)
	var sentA, sentB, now int64
	for {
		now += 1000
		ka := a.take(0, false, now) // a: 4 a microsecond
		kb := 0
		if now%3000 == 0 {
			kb = b.take(1, false, now) // b: 3 every 3 microseconds
		}
		sentA, sentB = sentA+int64(ka), sentB+int64(kb)
		if ka == 0 && kb == 0 && a.spent() && b.spent() {
			break
		}
	}
	if sentA+sentB != 5000 || sentA%5 != 0 || sentB%5 != 0 || a.unit != 5 {
		t.Errorf("a sent %d, b %d (unit %d); want whole turns of 5 adding up to 5000", sentA, sentB, a.unit)
	}
	if f := newClosedFeed(1, newPool(100, 2), 0, 5); f.unit != 1 {
		t.Errorf("unit %d for a rotation longer than the largest chunk (1); want 1", f.unit)
	}
}
