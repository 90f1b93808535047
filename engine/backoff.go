package engine

import (
	"math/rand/v2"
	"time"
)

// The connect backoff of every mode. A connection whose connect fails
// (refused, timed out, no address or file left) waits before it tries
// again, longer after each consecutive failure, so that a target that
// refuses or cannot accept is not hammered by every connection at once,
// and comes back soon after a short refusal. The n-th consecutive failure
// waits a random time in [d/2, d], with d = min(BackoffBase·2^(n-1),
// BackoffCap): "equal jitter", in Marc Brooker's "Exponential Backoff And
// Jitter" (AWS Architecture Blog, 2015).
//
//	failure n:   1        2         3         4         5          6           7 and on
//	wait:        5-10 ms  10-20 ms  20-40 ms  40-80 ms  80-160 ms  160-320 ms  250-500 ms
//
// Why jitter: a fixed wait is a fixed period. Against a target that
// refuses on a period dividing it (a listener closed for 100 ms every
// 200 ms, and a wait of 200 ms or 1 s), every retry lands in the same
// part of the target's cycle as the one before it: a connection that
// retries while refused is refused for ever (it phase-locks), and a run
// bounded by a request count gives up short. A random part of d/2 moves
// each retry by up to 250 ms at the cap, so the phase of successive
// retries is spread over the target's cycle, and a connection gets
// through in the first open part its retries fall in. It also spreads
// connections that failed together, which retried in one burst.
//
// Why equal jitter rather than "full jitter" (a wait in [0, d]): full
// jitter retries at once now and then however long the target has
// refused; equal jitter keeps half the exponential wait, a floor on the
// rate of connects a refusing target gets, and still spreads them over
// d/2.
//
// Why 10 ms and 500 ms: the first retry comes after 5-10 ms, and as the
// wait doubles, a connection refused for a time t (under the cap) is back
// after the refusal ends within about t on average, 2t + 10 ms at most (a
// wait is on average as long as the time already spent failing, and never
// longer than twice that plus the base): a target that restarts, or
// refuses for 100 ms, has its connections back soon after. The cap bounds
// what a dead or refusing target gets: 10,000 connections retry 27,000
// times a second on average (one each 375 ms), spread evenly, where the
// sync and goroutine modes' fixed 200 ms made it 50,000, in bursts of all
// the connections that failed together. A longer cap would be gentler
// still, but a run bounded only by a request count gives up when no
// connection has been open for a connect timeout (5 s by default;
// ConnTally.GivesUp and the reactor's loops), and a connection needs
// enough tries in that time: with 500 ms, about 13, so that the last
// connection still trying, against a target that refuses half the time,
// is given up on with a chance of 1 in 8,000. With a cap of 1 s it was
// about 7 tries, 1 in 100: TestCountSurvivesRefusedConnects sent 2,999 of
// 3,000 under -race so.
const (
	// BackoffBase is the longest wait after a first failed connect.
	BackoffBase = 10 * time.Millisecond
	// BackoffCap is the longest wait after any number of failed connects.
	BackoffCap = 500 * time.Millisecond
)

// Backoff returns how long to wait after the n-th consecutive failed
// connect (n from 1; less counts as 1): a random duration in [d/2, d],
// d = min(BackoffBase·2^(n-1), BackoffCap). It takes no lock and
// allocates nothing (math/rand/v2's generator is per thread), so a
// reactor loop may call it on every failure.
func Backoff(n int) time.Duration {
	d := backoffSpan(n)
	return d - time.Duration(rand.Int64N(int64(d/2)+1))
}

// backoffSpan is d of Backoff: the longest wait after the n-th
// consecutive failure.
func backoffSpan(n int) time.Duration {
	const doublings = 30 // far past the cap, and no overflow of the shift
	if n <= 1 {
		return BackoffBase
	}
	if n > doublings {
		return BackoffCap
	}
	return min(BackoffBase<<(n-1), BackoffCap)
}
