package engine

import (
	"time"

	"github.com/nowait/nowait/stats"
)

// IntervalNs is the length of one stats interval.
const IntervalNs = int64(time.Second)

// Timeline keeps one stats.Recorder's warm-up and per-second intervals in
// step with the run's clock, for engines whose owner goroutine can look at
// the clock only between its own events (a thread blocked in read, a
// goroutine blocked in a client call). The owner calls Advance with the
// time of each event before recording it, so an event lands in the
// interval it happened in even when the owner slept through several.
// When the run is over, whoever joined the owner calls Finish with the
// run's end, so every recorder of the run closes the same intervals and
// they merge by index.
//
//	run clock:  0 ........ warm-up ........ W ... W+1s ... W+2s ... end
//	measured:                               0     1s       2s       end-W
type Timeline struct {
	rec      *stats.Recorder
	live     *stats.Live // receives each closed interval; may be nil
	warmupNs int64       // run-clock time the measured part starts
	endNs    int64       // run-clock planned end; 0 for none
	warm     bool        // still in the warm-up
	nextNs   int64       // measured-clock end of the interval in progress
}

// NewTimeline returns a timeline for rec whose measured part starts after
// warmup on the run clock and that ends by plannedEndNs (run clock; 0 when
// the run has no planned end); each closed interval is also added to
// live, which may be nil (and which the timeline joins: see
// stats.Live).
//
// No interval closes past the planned end: an owner that looks at the
// clock late, a second or more after the end on a loaded machine, must
// not close one that the other recorders of the run never have.
func NewTimeline(rec *stats.Recorder, warmup time.Duration, plannedEndNs int64, live *stats.Live) Timeline {
	live.Join()
	return Timeline{rec: rec, live: live, warmupNs: int64(warmup), endNs: plannedEndNs, warm: warmup > 0, nextNs: IntervalNs}
}

// Warm reports whether the run is still in its warm-up, as of the last
// Advance.
func (t *Timeline) Warm() bool { return t.warm }

// Advance ends the warm-up and closes every interval that ended by nowNs
// (run clock, no later than the planned end), with openConns as the
// connections the owner has open. It is one comparison unless a second has
// passed.
func (t *Timeline) Advance(nowNs int64, openConns int) {
	if t.endNs > 0 {
		nowNs = min(nowNs, t.endNs)
	}
	if t.warm {
		if nowNs < t.warmupNs {
			return
		}
		t.rec.EndWarmup(0)
		t.warm = false
	}
	for nowNs-t.warmupNs >= t.nextNs {
		t.close(t.nextNs, openConns)
		t.nextNs += IntervalNs
	}
}

// Finish closes the intervals up to endNs (run clock) and the last,
// partial one, so that every recorder finished with the same endNs has the
// same intervals. What was counted after the last second closed (by an
// owner that looked at the clock after the end, or by whoever joined it:
// the open model's dropped requests, the last sends) goes into the last
// interval, partial or not, so the intervals add up to the totals. A run
// that ended in its warm-up ends the warm-up too, so warm-up traffic is
// never counted as measured.
func (t *Timeline) Finish(endNs int64, openConns int) {
	if t.warm {
		t.rec.EndWarmup(0)
		t.warm = false
	}
	t.Advance(endNs, openConns)
	m := t.MeasuredNs(endNs)
	if m > t.nextNs-IntervalNs || len(t.rec.Intervals) > 0 || t.rec.Unclosed() {
		// Past the last boundary: a partial interval. At it: the
		// stragglers join the last interval (Recorder.CloseInterval).
		t.close(m, openConns)
		t.nextNs = max(m, t.nextNs-IntervalNs) + IntervalNs
	}
}

// close closes the recorder's interval at endNs (measured clock) and adds
// it to the live totals when it is a new one.
func (t *Timeline) close(endNs int64, openConns int) {
	n := len(t.rec.Intervals)
	t.rec.CloseInterval(endNs, openConns)
	if len(t.rec.Intervals) > n {
		t.live.AddInterval(n, &t.rec.Intervals[n])
	}
}

// MeasuredNs returns the length of the measured part of a run that ended
// at endNs (run clock), never negative.
func (t *Timeline) MeasuredNs(endNs int64) int64 {
	return max(endNs-t.warmupNs, 0)
}

// LateWarmBytes returns how many of the wire bytes a read brought belong
// to the warm-up's responses answered after it ended (see
// stats.Recorder.MoveReceivedToWarmup), from late, the plain bytes of the
// read that went to them, of plain: the same over plain TCP, the share of
// wire over TLS, whose records carry more than their plaintext.
func LateWarmBytes(late, plain, wire int) uint64 {
	if late <= 0 || plain <= 0 || wire <= 0 {
		return 0
	}
	if wire != plain {
		late = int(int64(late) * int64(wire) / int64(plain))
	}
	return uint64(min(late, wire))
}
