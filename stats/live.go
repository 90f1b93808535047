package stats

import (
	"sync"
	"sync/atomic"
)

// Live is the running total of a run, for the live progress line. Each
// recorder of the run joins it before the run starts and adds each
// interval it closes, once a second (never per request); the printer
// reads it from another goroutine. Recorders close the same second at
// slightly different moments, so Live counts a second only once every
// recorder has closed it: a reading never holds part of a second.
type Live struct {
	open atomic.Int64

	mu        sync.Mutex
	recorders int          // recorders that joined
	seconds   int          // seconds every recorder has closed
	totals    liveSecond   // their sum
	last      liveSecond   // the last of them
	pending   []liveSecond // second seconds+i, as far as closed by some recorders
}

// liveSecond is one second's counts, summed over the recorders that
// closed it.
type liveSecond struct {
	requests, responses, errors uint64
	closed                      int // recorders that added it
}

// LiveTotals is one reading of a Live.
type LiveTotals struct {
	// Seconds is how many seconds of the measured run every recorder has
	// closed; the counts below cover exactly those.
	Seconds                     int
	Requests, Responses, Errors uint64
	// LastResponses is how many responses the last of those seconds
	// counted.
	LastResponses uint64
	OpenConns     int64
}

// Join adds one recorder to those whose intervals make a complete
// second. Every recorder joins before the run starts. Nil-safe.
func (l *Live) Join() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.recorders++
	l.mu.Unlock()
}

// AddInterval adds one recorder's closed interval, the index-th of the
// measured run. Nil-safe: engines call it whether or not anyone watches.
func (l *Live) AddInterval(index int, iv *Interval) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := index - l.seconds
	if i < 0 {
		return // a second already complete: a recorder that did not join
	}
	for len(l.pending) <= i {
		l.pending = append(l.pending, liveSecond{})
	}
	s := &l.pending[i]
	s.requests += iv.Requests
	s.responses += iv.Responses
	s.errors += iv.ErrorTotal()
	s.closed++
	for len(l.pending) > 0 && l.pending[0].closed >= l.recorders {
		done := l.pending[0]
		l.totals.requests += done.requests
		l.totals.responses += done.responses
		l.totals.errors += done.errors
		l.last = done
		l.seconds++
		l.pending = l.pending[1:]
	}
}

// AddOpen changes the open-connection count by delta. Nil-safe.
func (l *Live) AddOpen(delta int64) {
	if l == nil {
		return
	}
	l.open.Add(delta)
}

// Read returns the totals of the seconds complete so far and the
// connections open now.
func (l *Live) Read() LiveTotals {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LiveTotals{
		Seconds:       l.seconds,
		Requests:      l.totals.requests,
		Responses:     l.totals.responses,
		Errors:        l.totals.errors,
		LastResponses: l.last.responses,
		OpenConns:     l.open.Load(),
	}
}
