package stats

import "sync/atomic"

// Live is the running total of a run, for the live progress line. Each
// loop adds its closed interval once a second (a few atomic adds, never
// per request); the printer reads it from another goroutine.
type Live struct {
	requests  atomic.Uint64
	responses atomic.Uint64
	errors    atomic.Uint64
	open      atomic.Int64
}

// LiveTotals is one reading of a Live.
type LiveTotals struct {
	Requests, Responses, Errors uint64
	OpenConns                   int64
}

// AddInterval adds one loop's closed interval. Nil-safe: engines call it
// whether or not anyone watches.
func (l *Live) AddInterval(iv *Interval) {
	if l == nil {
		return
	}
	l.requests.Add(iv.Requests)
	l.responses.Add(iv.Responses)
	l.errors.Add(iv.ErrorTotal())
}

// AddOpen changes the open-connection count by delta. Nil-safe.
func (l *Live) AddOpen(delta int64) {
	if l == nil {
		return
	}
	l.open.Add(delta)
}

// Read returns the totals so far.
func (l *Live) Read() LiveTotals {
	return LiveTotals{
		Requests:  l.requests.Load(),
		Responses: l.responses.Load(),
		Errors:    l.errors.Load(),
		OpenConns: l.open.Load(),
	}
}
