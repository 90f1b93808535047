package reactor

import "time"

// rampStepNs is how often a loop looks at the closed model's connection
// ramp: often enough that a ramp of thousands of connections per second
// moves in small steps, seldom enough to cost nothing.
const rampStepNs = int64(10 * time.Millisecond)

// The closed model's stages. The plan's connection j (from 0) belongs to
// loop j mod L, as slot j div L, and is wanted while j < ramp.At(t). So
// each loop's wanted slots are a prefix of its slots, [0, want):
//
//	plan conns:  0 1 2 3 4 5 6 7     At(t) = 5, L = 2
//	loop 0:      0   2   4   6       slots 0 1 2 3 -> want 3
//	loop 1:        1   3   5   7     slots 0 1 2 3 -> want 2
//
// A slot past want is retired: a connect in progress or a backoff ends at
// once, an open connection takes no new request and closes once its
// requests in flight are answered.

// global returns the plan-wide index of c.
func (l *loop) global(c *conn) int { return l.index + int(c.slot)*l.nloops }

// wantAt returns how many of this loop's slots are wanted when n
// connections are wanted in all.
func (l *loop) wantAt(n int) int {
	if n <= l.index {
		return 0
	}
	return min((n-l.index+l.nloops-1)/l.nloops, len(l.conns))
}

// followRamp moves the loop's wanted connections to the ramp's count now:
// it connects the slots newly wanted (or lets a retiring one carry on)
// and retires the slots no longer wanted.
func (l *loop) followRamp() {
	w := l.wantAt(l.ramp.At(time.Duration(l.now)))
	old := l.want
	l.want = w
	for k := old; k < w; k++ {
		c := &l.conns[k]
		switch c.state {
		case stateIdle:
			if !l.stopping && !l.feed.exhausted() {
				l.connect(c)
			}
		case stateOpen:
			l.fill(c) // it was draining: give it requests again
		}
	}
	for k := w; k < old; k++ {
		l.retire(&l.conns[k])
	}
}

// retired reports whether c's slot is past the ramp's count.
func (l *loop) retired(c *conn) bool { return int(c.slot) >= l.want }

// retire ends a slot no longer wanted: at once when nothing is in flight
// on it, else once the last answer arrives (fill calls it again then).
func (l *loop) retire(c *conn) {
	switch c.state {
	case stateConnecting, stateBackoff:
		l.closeSocket(c)
	case stateOpen:
		if c.inflight == 0 && !c.writing() {
			l.closeSocket(c)
		}
	}
}
