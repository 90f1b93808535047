package reactor

import (
	"math/rand/v2"
	"sort"
	"testing"
)

func TestDeadlinesPopInOrder(t *testing.T) {
	const n = 500
	rng := rand.New(rand.NewPCG(1, 2))
	d := newDeadlines(n)
	want := map[int32]int64{}
	for range 3000 {
		slot := int32(rng.IntN(n))
		switch rng.IntN(3) {
		case 0, 1:
			ns := rng.Int64N(1e6)
			d.set(slot, ns)
			want[slot] = ns
		case 2:
			d.remove(slot)
			delete(want, slot)
		}
	}
	if d.len() != len(want) {
		t.Fatalf("%d deadlines, want %d", d.len(), len(want))
	}
	var ns []int64
	for _, v := range want {
		ns = append(ns, v)
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
	if _, ok := d.pop(ns[0] - 1); ok {
		t.Error("popped a deadline before it was due")
	}
	for i, w := range ns {
		got, ok := d.pop(1 << 62)
		if !ok || got.ns != w || want[got.slot] != w {
			t.Fatalf("pop %d: %+v %v, want %d", i, got, ok, w)
		}
	}
	if _, ok := d.next(); ok || d.len() != 0 {
		t.Error("deadlines left after popping all")
	}
	for i, p := range d.pos {
		if p != -1 {
			t.Fatalf("slot %d still at %d", i, p)
		}
	}
}

func BenchmarkDeadlines(b *testing.B) {
	const n = 15000
	d := newDeadlines(n)
	for i := range n {
		d.set(int32(i), int64(i)*1000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		top, _ := d.pop(1 << 62)
		d.set(top.slot, top.ns+int64(n)*1000+int64(i&7))
	}
}
