package engine

import (
	"math/rand/v2"
	"time"
)

// The connect backoff of every mode and model. A connection whose connect
// fails (refused, timed out, no address or file left, a failed TLS
// handshake) waits before it tries again, longer after each consecutive
// failure, so that a target that refuses or cannot accept is not hammered
// by every connection at once, and comes back soon after a short refusal.
// The n-th consecutive failure waits a random time in [d/2, d], with
// d = min(BackoffBase·2^(n-1), BackoffCap): "equal jitter", in Marc
// Brooker's "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015).
//
//	failure n:   1        2         3         4         5          6           7 and on
//	wait:        5-10 ms  10-20 ms  20-40 ms  40-80 ms  80-160 ms  160-320 ms  250-500 ms
//
// A connect that succeeds does not end the run of failures; a connection
// that proves the target serves does (Retry.Ended). One rule, in every
// mode and model:
//
//	connection ends ──> answered on it, or open >= BackoffHeld? ── yes ──> count 0, reconnect at once
//	                                                         └──── no ───> count+1, wait Backoff(count)
//
// whoever ended it: the server's FIN or reset, a failed read or write, a
// request timeout, bytes nobody asked for. So a connection the server
// accepts and closes before it answered anything (or, holding, within
// BackoffHeld of its connect) is a failed connect for the backoff, as a
// refused one is: to the user the target did not serve either way, and a
// server at its connection limit often accepts and drops at once (a
// listen backlog that completes handshakes for a server that then closes
// them). Resetting the count at the connect instead (the reactor, until
// 2026-11) gave such a target a connect every 5-10 ms per connection for
// ever (100-200 a second per connection, 20,000 a second from 100
// connections: the run then measures its own storm), and reconnecting at
// once (sync, goroutine) a tight loop.
//
// Why an answer ends the run: the target served on that connection, so
// its end is the server's business (Connection: close, a close after N
// responses, an idle timeout), and the next connection must go at once:
// a keep-alive server that closes after every response would otherwise
// be loaded at the backoff's pace, not the model's.
//
// Why BackoffHeld, 1 s, ends it too: a held connection (hold without
// --every) never gets an answer, yet one the server kept is one it
// served; so is one that waited on a slow answer. 1 s is twice the cap:
// a server that keeps every connection that long and then drops it gets
// a connect per connection per second at most, fewer than a target that
// fails every try gets at the cap (one each 250-500 ms), so the rule
// never makes a misbehaving server's connects faster than the backoff.
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
	// BackoffHeld is how long a connection must have been open, when
	// nothing was answered on it, for its end not to count as a failed
	// connect (Retry.Ended).
	BackoffHeld = time.Second
)

// Retry is the connect backoff of one connection slot: how many of its
// connects failed in a row, a connection that ended before it proved the
// target serves counting as one. The zero value has none. It is the
// slot's owner's: it takes no lock.
type Retry struct {
	fails int32
}

// ConnectFailed counts a failed connect and returns how long to wait
// before the next: Backoff of the failures in a row.
func (r *Retry) ConnectFailed() time.Duration {
	r.fails = min(r.fails+1, 1<<30)
	return Backoff(int(r.fails))
}

// Ended counts the end of a connection that was open for heldNs, with a
// response on it or not (answered), and returns how long to wait before
// the next connect: none after a connection that proved the target serves
// (answered, or open at least BackoffHeld), which ends the failures in a
// row; otherwise it failed as a connect does (see ConnectFailed).
func (r *Retry) Ended(answered bool, heldNs int64) time.Duration {
	if answered || heldNs >= int64(BackoffHeld) {
		r.fails = 0
		return 0
	}
	return r.ConnectFailed()
}

// Fails returns the failures in a row counted so far.
func (r *Retry) Fails() int { return int(r.fails) }

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
