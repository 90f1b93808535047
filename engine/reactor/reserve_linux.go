package reactor

// A closed-model connection of a counted run opens only with a request of
// the budget set aside for it: the loop's budget gives one (claiming from
// the pool when it has none), the connection's first batch takes it back
// with the others (commit), and a connection that does not open after all
// gives it back. So no connection opens for nothing: a server that closes
// after every response sees one connection per request, not a reconnect
// that another connection's request beat to the last one.
//
//	feed.budget --reserve--> conn.reserved --commit--> feed.budget --take--> in flight
//	     ^                        |
//	     +-------unreserve--------+  (closeSocket: a failed connect, the loop stopping)

// reserve sets a request of the budget aside for c, about to connect, and
// reports whether it may (closedFeed.reserve). Only a closed-model run
// with a request count reserves, and not in its warm-up, whose requests
// the count does not bound.
func (l *loop) reserve(c *conn) bool {
	if c.reserved || l.sched != nil || l.hold != nil || l.inWarmup {
		return true
	}
	if !l.feed.reserve(l.now) {
		return false
	}
	c.reserved = l.feed.pool != nil
	return true
}

// unreserve returns the request reserved for c, if any, to the loop's
// budget.
func (l *loop) unreserve(c *conn) {
	if c.reserved {
		c.reserved = false
		l.feed.unreserve()
	}
}

// unreserveAll returns every connection's reserved request to the loop's
// budget, before the budget goes back to the pool (closedFeed.putBack).
// It walks the connections: for a loop stopping, or whose connects fail
// with none open, never per request.
func (l *loop) unreserveAll() {
	for i := range l.conns {
		l.unreserve(&l.conns[i])
	}
}
