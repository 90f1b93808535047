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
	budget   int64 // requests this loop claimed from pool and has not started
	reserved int64 // requests set aside from budget for connections opening (reserve)
	pool     *pool // the run's request budget; nil means no limit
	index    int   // the loop's index, in pool.hungry
	chunk    int64 // the next claim's size (see chunkFastNs)
	unit     int64 // claims are whole multiples of it: the mix's rotation when small
	claimNs  int64 // when the loop last claimed
	holding  bool  // the loop holds claimed requests (in budget or in flight): a pool holder
	starved  bool  // the loop found the pool empty; refill looks again (loop.refill)
}

// newClosedFeed returns loop index's feed for a pipeline depth and a
// request budget (nil for none), over a mix whose rotation is wheel
// requests long. A loop sends its requests in the order of the rotation,
// so when every loop claims whole turns of it, a budget of whole turns is
// sent in the exact proportions of the weights, as long as no request is
// given back; a rotation longer than the largest chunk is not kept whole.
func newClosedFeed(depth int, p *pool, index, wheel int) closedFeed {
	depth = max(depth, 1)
	f := closedFeed{depth: depth, lowWater: depth / 2, pool: p, index: index, chunk: 1, unit: 1}
	if p != nil && int64(wheel) <= p.maxChunk {
		f.unit = int64(max(wheel, 1))
	}
	return f
}

// take returns how many requests a connection with inflight requests in
// flight starts at nowNs, and takes them from the budget unless they are
// sent in the warm-up (as engine.Budget does for the other modes). It
// claims from the pool only when the loop's own claim runs short: once a
// chunk.
func (f *closedFeed) take(inflight int, warm bool, nowNs int64) int {
	if inflight > f.lowWater {
		return 0
	}
	k := f.depth - inflight
	if f.pool != nil && !warm {
		if int64(k) > f.budget {
			f.claim(int64(k)-f.budget, nowNs)
		}
		if int64(k) > f.budget {
			k = int(f.budget)
		}
		f.budget -= int64(k)
	}
	return k
}

// claim adds to the loop's budget at least want requests from the pool,
// a chunk if that is more, or what is left there; when that is less than
// want, the loop is starved. The chunk follows the loop's pace: doubled
// when the last lasted less than chunkFastNs, halved when it lasted more
// than chunkSlowNs.
func (f *closedFeed) claim(want, nowNs int64) {
	switch d := nowNs - f.claimNs; {
	case d < chunkFastNs:
		f.chunk = min(2*f.chunk, f.pool.maxChunk)
	case d > chunkSlowNs:
		f.chunk = max(f.chunk/2, 1)
	}
	f.claimNs = nowNs
	n := max(want, f.chunk) + f.unit - 1
	n = f.pool.claim(n-n%f.unit, !f.holding)
	if n > 0 {
		f.holding = true
		f.budget += n
	}
	if n < want {
		f.starve()
	}
}

// giveBack returns k requests to the loop's budget: they were taken and
// not sent, or sent and the server will not answer them (see
// loop.giveBack). They go again on the loop's next connection, or back to
// the pool when the loop cannot use them (putBack).
func (f *closedFeed) giveBack(k int) {
	if f.pool != nil {
		f.budget += int64(k)
	}
}

// reserve sets one request of the budget aside for a connection about to
// open, claiming from the pool if the loop has none, and reports whether
// there was one: a connection opens only for a request it can send (a
// server that closes after every response would otherwise see a
// reconnect that another connection's request beat to the last one).
// Without a limit it reserves nothing and reports true.
func (f *closedFeed) reserve(nowNs int64) bool {
	if f.pool == nil {
		return true
	}
	if f.budget == 0 {
		f.claim(1, nowNs)
	}
	if f.budget == 0 {
		return false
	}
	f.budget--
	f.reserved++
	return true
}

// unreserve returns a reserved request to the loop's budget: the
// connection took it (it is taken again with the others, take), or will
// not open after all.
func (f *closedFeed) unreserve() {
	f.budget++
	f.reserved--
}

// putBack returns the loop's budget to the pool for the other loops, and
// the loop stops holding requests: it has none in flight (its connects
// fail with no connection open, or it stops). The connections' reserved
// requests must have come back first (loop.unreserveAll).
func (f *closedFeed) putBack() {
	if !f.holding {
		return
	}
	f.pool.put(f.budget, true)
	f.budget, f.holding = 0, false
}

// trim is for a loop's sweep: while the pool is empty, a loop whose claim
// has lasted more than chunkSlowNs (its pace fell, its connections are
// slow) puts back half of what it has not started, and halves its chunk,
// for the loops that have run out. Each sweep halves it again. Without a
// limit the loop holds no budget and trim does nothing.
func (f *closedFeed) trim(nowNs int64) {
	if f.budget < 2 || nowNs-f.claimNs < chunkSlowNs || !f.pool.empty() {
		return
	}
	half := f.budget / 2 / f.unit * f.unit
	if half == 0 {
		return
	}
	f.budget -= half
	f.chunk = max(f.chunk/2, 1)
	f.pool.put(half, false)
}

// spent reports whether the loop has no budget of its own left, nor any
// reserved for a connection opening: it needs the pool's to start
// another request. False without a limit.
func (f *closedFeed) spent() bool { return f.pool != nil && f.budget == 0 && f.reserved == 0 }

// exhausted reports whether no request can start now, the loop's budget
// and the pool's both spent, and then marks the loop starved, so that its
// idle connections are filled again if requests come back to the pool.
func (f *closedFeed) exhausted() bool {
	if !f.spent() || !f.pool.empty() {
		return false
	}
	f.starve()
	return true
}

// settle is for a loop with nothing to send nor in flight: it stops
// holding requests and says whether the run's budget is spent, or still
// held by other loops (the loop then waits for them, starved), or left in
// the pool.
func (f *closedFeed) settle() budgetState {
	if f.holding {
		f.pool.put(0, true)
		f.holding = false
	}
	st := f.pool.state()
	if st == budgetHeld {
		f.starve()
	}
	return st
}

// starve marks the loop as waiting for requests to come back to the
// pool: a put then wakes it.
func (f *closedFeed) starve() {
	if !f.starved {
		f.starved = true
		f.pool.hungry[f.index].Store(true)
	}
}

// fed clears starve, as the loop looks at the pool again.
func (f *closedFeed) fed() {
	f.starved = false
	f.pool.hungry[f.index].Store(false)
}

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
