package threaded

// The open model in sync mode. Every thread blocks on its own socket, so
// the schedule cannot be split ahead of time the way the reactor splits it
// between loops: a connection that is free takes the next request of the
// run's one schedule (engine.Tickets, one atomic add), sleeps until it is
// due, writes it, and blocks for the response. A request due while every
// connection is busy waits untaken; whoever is free next takes it late,
// and its latency still counts from when it was due:
//
//	due ──── send lag ──── write ──── service time ──── response
//	└──────────────── corrected latency ────────────────┘
//
// Requests due before the end that no connection took are counted as
// Dropped when the run ends.

// serveOpen drives the open model on the open connection: it takes
// tickets while the connection has room in its pipeline, writes each when
// due and reads the responses. It returns true when the schedule is used
// up and every response is in (the thread may end), and false when the
// connection must be closed (the caller closes it and reconnects, unless
// the run stopped). Every failure is counted before it returns.
//
// With a pipeline deeper than 1 a connection with requests in flight may
// take a ticket not yet due; being blocked in read, it writes it after the
// next response. With depth 1 (the default) a ticket is only ever taken
// by an idle connection.
func (c *conn) serveOpen() bool {
	r := c.r
	for {
		if r.stop.Load() {
			return true
		}
		if c.n < r.depth {
			if !c.pending {
				_, due, ok := r.tickets.Take()
				if !ok || (r.endNs > 0 && due >= r.endNs) {
					c.drain() // the schedule or the request count is used up
					if ok {
						// Nothing more is due before the planned end, but the
						// run lasts until then (as in every mode): a thread
						// that ended now, with the others, would end the run
						// a little early and shorten its measured time.
						c.sleepUntil(r.endNs)
					}
					return true
				}
				c.pending, c.pendDue = true, due
			}
			if c.n == 0 {
				switch c.idleUntil(c.pendDue) {
				case restStop:
					return true // stopped while waiting: the ticket is dropped at the end if it was due
				case restLost:
					// The server closed the idle connection (or wrote on
					// it), counted: the ticket goes on the next one.
					return false
				}
			}
			if c.pendDue <= r.clock.Now() {
				c.enqueue(c.pendDue, c.pendDue < r.warmupNs)
				c.pending = false
				continue // the next ticket may be due already: write both at once
			}
		}
		if c.n == 0 {
			continue // woken a hair before the due time
		}
		if !c.flush(r.clock.Now()) {
			return r.stop.Load()
		}
		if _, ok := c.receive(); !ok {
			return r.stop.Load()
		}
	}
}

// idleUntil waits, with nothing in flight, until dueNs, the run's stop or
// the end of the connection (restUntil): the thread sleeps on the socket
// too, so that a server closing the idle connection between two requests
// (an idle timeout) is seen when it closes, and the next request goes on
// a new connection, as the reactor sends it, rather than into the closed
// one, where it would fail. A request already due goes at once, with no
// look at the socket: the thread comes from a response or a connect, so
// the connection was not idle, and a saturated run keeps to one write and
// one read per request.
func (c *conn) idleUntil(dueNs int64) rest {
	if dueNs <= c.r.clock.Now() {
		if c.r.stop.Load() {
			return restStop
		}
		return restDue
	}
	return c.restUntil(dueNs)
}

// drain writes what is queued and reads every response still in flight.
// It reports true when all arrived, false when the connection failed
// (counted) or the run stopped.
func (c *conn) drain() bool {
	if !c.flush(c.r.clock.Now()) {
		return false
	}
	for c.n > 0 {
		if _, ok := c.receive(); !ok {
			return false
		}
	}
	return true
}
