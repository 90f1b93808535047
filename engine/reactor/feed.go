package reactor

// closedFeed is the closed model's answer to "when to send": a connection
// keeps up to depth requests in flight and is refilled once it has drained
// to the low-water mark, so that at high connection counts a pipelined
// connection still writes several requests at once instead of one per
// response. The loop decides how to send (conn_linux.go); the open model's
// feed (open.go) and the hold model's timers (hold_linux.go) sit beside
// this type. It holds no clock and no goroutine.
type closedFeed struct {
	depth    int   // requests in flight per connection
	lowWater int   // refill when in flight <= lowWater
	budget   int64 // requests this loop may still start; < 0 means no limit
}

// newClosedFeed returns the feed for a pipeline depth and a request budget
// (< 0 for none).
func newClosedFeed(depth int, budget int64) closedFeed {
	depth = max(depth, 1)
	return closedFeed{depth: depth, lowWater: depth / 2, budget: budget}
}

// take returns how many requests a connection with inflight requests in
// flight starts now, and takes them from the budget unless they are sent
// in the warm-up (as engine.Budget does for the other modes).
func (f *closedFeed) take(inflight int, warm bool) int {
	if inflight > f.lowWater {
		return 0
	}
	k := f.depth - inflight
	if f.budget >= 0 && !warm {
		if int64(k) > f.budget {
			k = int(f.budget)
		}
		f.budget -= int64(k)
	}
	return k
}

// giveBack returns k requests to the budget: they were written and the
// server will not answer them (see loop.giveBack).
func (f *closedFeed) giveBack(k int) {
	if f.budget >= 0 {
		f.budget += int64(k)
	}
}

// exhausted reports whether the budget is spent: no request will start
// again.
func (f *closedFeed) exhausted() bool { return f.budget == 0 }

// slotAddrs returns the address index of each of loop i's connections:
// connection j of the plan goes to loop j mod loops and address j mod
// addrs.
func slotAddrs(conns, addrs, loops, i int) []int {
	var out []int
	for j := i; j < conns; j += loops {
		out = append(out, j%addrs)
	}
	return out
}

// share returns loop i's part of a request budget (0: no limit, -1).
func share(total int64, loops, i int) int64 {
	if total <= 0 {
		return -1
	}
	s := total / int64(loops)
	if int64(i) < total%int64(loops) {
		s++
	}
	return s
}
