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
//	failure n:   1        2         3         4         5          6          7          8 and on
//	wait:        5-10 ms  10-20 ms  20-40 ms  40-80 ms  80-160 ms  160-320 ms 320-640 ms 0.5-1 s
//
// Why jitter: a fixed wait is a fixed period. Against a target that
// refuses on a period dividing it (a listener closed for 100 ms every
// 200 ms, and a wait of 200 ms or 1 s), every retry lands in the same
// part of the target's cycle as the one before it: a connection that
// retries while refused is refused for ever (it phase-locks), and a run
// bounded by a request count gives up short. A random part of d/2 moves
// each retry by up to a quarter of a second at the cap, so the phase of
// successive retries is spread over the target's cycle and a connection
// gets through in the first open part its retries fall in.
//
// Why equal jitter rather than "full jitter" (a wait in [0, d]): full
// jitter retries at once now and then however long the target has
// refused; equal jitter keeps half the exponential wait, a floor on the
// rate of connects a refusing target gets, and still spreads them over
// d/2.
//
// Why 10 ms and 1 s: the first retry comes after 5-10 ms, and since the
// wait doubles, a connection refused for a time t is back at most about
// t after the refusal ends (the wait never exceeds the time already
// spent failing, plus the base): a target that restarts, or refuses for
// 100 ms, has its connections back within about as long again. At the cap,
// 10,000 connections to a target that refuses them all retry 13,000
// times a second on average (one each 0.75 s), where a cap of 200 ms
// would make it 67,000 (the connect storm a cap is there to avoid); and
// a run bounded only by a request count gives up after a connect timeout
// (5 s by default) without a connection (ConnTally.GivesUp and the
// reactor's loops), so a cap well under that still leaves several
// retries at the cap before the run gives up.
const (
	// BackoffBase is the longest wait after a first failed connect.
	BackoffBase = 10 * time.Millisecond
	// BackoffCap is the longest wait after any number of failed connects.
	BackoffCap = time.Second
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
