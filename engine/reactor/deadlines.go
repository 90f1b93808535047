package reactor

// deadlines is a loop's timer structure: a binary min-heap of at most one
// deadline per connection slot, with each slot's position kept so that a
// deadline can be moved or removed in O(log n) when its connection closes.
// It allocates only when built; setting, removing and popping do not.
//
//	e:    [ (5ms, slot 3) (7ms, slot 0) (9ms, slot 8) ... ]   e[i] <= e[2i+1], e[2i+2]
//	pos:  slot -> index in e, or -1
type deadlines struct {
	e   []deadline
	pos []int32
}

// deadline is when something is due on a slot.
type deadline struct {
	ns   int64
	slot int32
}

// newDeadlines returns an empty heap for slots 0..n-1.
func newDeadlines(n int) deadlines {
	d := deadlines{e: make([]deadline, 0, n), pos: make([]int32, n)}
	for i := range d.pos {
		d.pos[i] = -1
	}
	return d
}

// set makes slot due at ns, replacing any deadline it had.
func (d *deadlines) set(slot int32, ns int64) {
	i := d.pos[slot]
	if i < 0 {
		d.e = append(d.e, deadline{ns: ns, slot: slot})
		i = int32(len(d.e) - 1)
		d.pos[slot] = i
		d.up(int(i))
		return
	}
	d.e[i].ns = ns
	d.fix(int(i))
}

// remove drops slot's deadline, if it has one.
func (d *deadlines) remove(slot int32) {
	i := d.pos[slot]
	if i < 0 {
		return
	}
	last := len(d.e) - 1
	d.swap(int(i), last)
	d.e = d.e[:last]
	d.pos[slot] = -1
	if int(i) < last {
		d.fix(int(i))
	}
}

// next returns the earliest deadline, and false when there is none.
func (d *deadlines) next() (deadline, bool) {
	if len(d.e) == 0 {
		return deadline{}, false
	}
	return d.e[0], true
}

// pop removes and returns the earliest deadline if it is due at now.
func (d *deadlines) pop(now int64) (deadline, bool) {
	if len(d.e) == 0 || d.e[0].ns > now {
		return deadline{}, false
	}
	top := d.e[0]
	d.remove(top.slot)
	return top, true
}

// len returns how many slots have a deadline.
func (d *deadlines) len() int { return len(d.e) }

func (d *deadlines) fix(i int) {
	if !d.down(i) {
		d.up(i)
	}
}

func (d *deadlines) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if d.e[p].ns <= d.e[i].ns {
			return
		}
		d.swap(i, p)
		i = p
	}
}

// down sifts e[i] down and reports whether it moved.
func (d *deadlines) down(i int) bool {
	start, n := i, len(d.e)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && d.e[r].ns < d.e[c].ns {
			c = r
		}
		if d.e[i].ns <= d.e[c].ns {
			break
		}
		d.swap(i, c)
		i = c
	}
	return i > start
}

func (d *deadlines) swap(i, j int) {
	d.e[i], d.e[j] = d.e[j], d.e[i]
	d.pos[d.e[i].slot] = int32(i)
	d.pos[d.e[j].slot] = int32(j)
}
