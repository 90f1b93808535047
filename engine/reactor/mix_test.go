package reactor

import (
	"bytes"
	"slices"
	"testing"

	"github.com/nowait/nowait/engine"
)

func rawReq(raw string, weight int) engine.Request {
	return engine.Request{Method: "GET", Raw: []byte(raw), Weight: weight}
}

func TestRotation(t *testing.T) {
	tests := []struct {
		weights []int
		want    []int32
	}{
		{[]int{1}, []int32{0}},
		{[]int{1, 1}, []int32{0, 1}},
		{[]int{3, 1}, []int32{0, 0, 1, 0}},
		{[]int{2, 1, 1}, []int32{0, 1, 2, 0}},
		{[]int{1, 2}, []int32{1, 0, 1}},
	}
	for _, tt := range tests {
		if got := rotation(tt.weights); !slices.Equal(got, tt.want) {
			t.Errorf("rotation(%v) = %v, want %v", tt.weights, got, tt.want)
		}
	}
}

func TestWeights(t *testing.T) {
	tests := []struct {
		in, want []int
	}{
		{[]int{0}, []int{1}},
		{[]int{0, 0}, []int{1, 1}},
		{[]int{6, 2}, []int{3, 1}},
		{[]int{5000, 3000}, []int{5, 3}},
		{[]int{10000, 1}, []int{4095, 1}}, // scaled to the wheel, each at least 1
	}
	for _, tt := range tests {
		reqs := make([]engine.Request, len(tt.in))
		for i, w := range tt.in {
			reqs[i].Weight = w
		}
		if got := weights(reqs); !slices.Equal(got, tt.want) {
			t.Errorf("weights(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMixBatchIsContiguousAcrossTheWrap(t *testing.T) {
	reqs := []engine.Request{rawReq("A", 2), rawReq("bb", 1)}
	const depth = 5
	m, err := newMix(reqs, depth)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation A bb A, repeated: every batch is the next k in that order.
	order := []string{"A", "bb", "A"}
	pos, n := 0, 0
	for _, k := range []int{1, 5, 2, 3, 5, 4, 1, 5} {
		b, next := m.batch(pos, k)
		var want []byte
		for i := range k {
			want = append(want, order[(n+i)%3]...)
		}
		if !bytes.Equal(b, want) {
			t.Fatalf("batch(%d, %d) = %q, want %q", pos, k, b, want)
		}
		for i := range k {
			if got, want := m.seq[pos+i], int32(slices.Index([]string{"A", "bb"}, order[(n+i)%3])); got != want {
				t.Fatalf("seq[%d] = %d, want %d", pos+i, got, want)
			}
		}
		n += k
		pos = next
		if pos != n%3 {
			t.Fatalf("position %d after %d requests, want %d", pos, n, n%3)
		}
	}
}

func TestMixRefusesUnencoded(t *testing.T) {
	if _, err := newMix([]engine.Request{{Method: "GET"}}, 1); err == nil {
		t.Error("no error for a request without Raw")
	}
	if _, err := newMix(nil, 1); err == nil {
		t.Error("no error for no requests")
	}
}
