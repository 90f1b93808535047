package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nowait/nowait/stats"
)

// RecorderGroup is one stats.Recorder shared, under a mutex, by a group of
// connections whose owners each block on their own connection (a thread
// or a goroutine per connection). A Recorder is about 1 MB of histograms
// and allocates one more interval histogram every second, so one per
// connection would make those modes pay for nowait's stats, not for their
// I/O model (1 GB at 1000 connections). Members lock the group once per
// round trip, record, and unlock; nobody blocks while holding it.
type RecorderGroup struct {
	endNs atomic.Int64 // the run's end once known; later events are clamped to it

	mu   sync.Mutex
	rec  *stats.Recorder
	tl   Timeline
	open int // the members' connections open now
}

// GroupCount returns how many recorder groups suit n connections: a few
// per CPU, so members seldom wait for each other, and never more than n.
func GroupCount(n int) int {
	return max(min(n, 4*runtime.GOMAXPROCS(0)), 1)
}

// NewRecorderGroup returns a group whose measured part starts after
// warmup on the run clock and that ends by plannedEndNs (run clock; 0 when
// the run has no planned end, see NewTimeline); each closed interval is
// added to live, which may be nil.
func NewRecorderGroup(warmup time.Duration, plannedEndNs int64, live *stats.Live) *RecorderGroup {
	g := &RecorderGroup{rec: stats.NewRecorder()}
	g.tl = NewTimeline(g.rec, warmup, plannedEndNs, live)
	return g
}

// Lock locks the group, closes the warm-up and the intervals that ended by
// nowNs (run clock), and returns the recorder to record into until
// Unlock. Events must be recorded with the time passed here or later.
func (g *RecorderGroup) Lock(nowNs int64) *stats.Recorder {
	if e := g.endNs.Load(); e > 0 && nowNs > e {
		nowNs = e // a member still finishing after the end: keep the intervals aligned
	}
	g.mu.Lock()
	g.tl.Advance(nowNs, g.open)
	return g.rec
}

// Warm reports whether the group is still in the warm-up, as of its last
// Lock; the caller holds the lock. Once it is not, what a member records
// of a warm-up request (a response, a failure, a write recorded late)
// goes to the recorder's Warmup counts (stats.Recorder.RecordWarmupResponse).
func (g *RecorderGroup) Warm() bool { return g.tl.Warm() }

// Unlock unlocks the group.
func (g *RecorderGroup) Unlock() { g.mu.Unlock() }

// AddOpen changes the count of the members' open connections; the caller
// holds the lock.
func (g *RecorderGroup) AddOpen(d int) { g.open += d }

// End tells the group the run ended at endNs (run clock, at or before the
// planned end): events recorded later count as at endNs, so no member
// closes an interval past the end.
func (g *RecorderGroup) End(endNs int64) { g.endNs.Store(endNs) }

// Finish closes the group's last intervals at endNs (run clock), with
// openConns of its connections open then, and returns its recorder;
// every member must have ended.
func (g *RecorderGroup) Finish(endNs int64, openConns int) *stats.Recorder {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tl.Finish(endNs, openConns)
	return g.rec
}

// Open returns the members' connections open now.
func (g *RecorderGroup) Open() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}
