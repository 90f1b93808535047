package reactor

import "testing"

func TestClosedFeed(t *testing.T) {
	type step struct {
		inflight int
		warm     bool
		want     int
	}
	tests := []struct {
		name   string
		depth  int
		budget int64
		steps  []step
		spent  bool
	}{
		{"depth 1 refills when empty", 1, -1, []step{{0, false, 1}, {1, false, 0}, {0, false, 1}}, false},
		{"depth 8 waits for the low-water mark", 8, -1, []step{{0, false, 8}, {7, false, 0}, {5, false, 0}, {4, false, 4}}, false},
		{"depth 3 low water 1", 3, -1, []step{{2, false, 0}, {1, false, 2}}, false},
		{"budget cuts the batch", 8, 10, []step{{0, false, 8}, {4, false, 2}, {0, false, 0}}, true},
		{"warm-up is free", 2, 2, []step{{0, true, 2}, {0, true, 2}, {0, false, 2}, {0, false, 0}}, true},
		{"a batch above the chunk", 8, 1000, []step{{0, false, 8}, {4, false, 4}}, false},
	}
	for _, tt := range tests {
		f := newClosedFeed(tt.depth, newPool(tt.budget, 1), 0, 1)
		for i, s := range tt.steps {
			if got := f.take(s.inflight, s.warm, int64(i)); got != s.want {
				t.Errorf("%s: step %d take(%d) = %d, want %d", tt.name, i, s.inflight, got, s.want)
			}
		}
		if f.exhausted() != tt.spent {
			t.Errorf("%s: exhausted %v, want %v", tt.name, f.exhausted(), tt.spent)
		}
	}
}

func TestSlotAddrs(t *testing.T) {
	if got := slotAddrs(7, 2, 3, 1); len(got) != 2 || got[0] != 1 || got[1] != 0 {
		t.Errorf("slotAddrs(7, 2, 3, 1) = %v, want [1 0]", got)
	}
}
