package reactor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Wake-up batching in the closed model.
//
// A loop that finds only a few sockets ready each time it waits blocks in
// epoll_wait again and again, and each block and wake-up (two context
// switches, and on a VM an exit to the hypervisor and an interrupt from
// the other core) costs about as much as reading a dozen responses: with
// 100 connections pipelining 16 deep against the built-in target, the
// scheduler took a sixth of the client's CPU. When the target is busy with
// a queue of this loop's requests, nothing is lost by pausing a moment
// before the next wait: the target works through its queue meanwhile, and
// the loop reads what was answered in one wake-up instead of several.
//
// The pause (a nap) is taken only when it cannot starve the target or
// noticeably stretch what is measured: in the closed model, after a wait
// that found fewer than napBatch events, when at least napBatch responses
// are expected during the nap, and for at most 1/napShare of the recent
// response time. A connection waiting on a slow target (few requests in
// flight, a long delay) never naps; neither does the open model, whose
// send times are the schedule's, nor the hold model.
const (
	napBatch = 16       // events worth waking for; responses a nap must expect
	napShare = 16       // a nap lasts at most this fraction of the response time
	maxNapNs = 300_000  // the longest nap
	minNapNs = 50_000   // shorter naps are not worth a timer
	rttShift = 4        // the response-time average weighs the last 2^4 runs of answers most
	noRTT    = int64(0) // no response seen yet
)

// napper decides the loop's naps. It holds a moving average of the
// response time and what the last wait found; the loop feeds it both.
type napper struct {
	on     bool          // the closed model: naps are allowed
	batch  int           // napBatch; tests lower it
	rtt    int64         // moving average of the response time, ns
	events int           // events the last wait returned
	naps   int64         // naps taken, for tests and profiling
	ts     unix.Timespec // scratch for nanosleep, so a nap does not allocate
}

// observe adds one response time to the average.
func (n *napper) observe(rttNs int64) {
	if n.rtt == noRTT {
		n.rtt = rttNs
		return
	}
	n.rtt += (rttNs - n.rtt) >> rttShift
}

// length returns how long to nap before the next wait, or 0 for no nap,
// given the requests in flight. By Little's law the loop receives about
// inflight/rtt responses per nanosecond, so a nap of d expects
// inflight*d/rtt of them.
func (n *napper) length(inflight int) int64 {
	if !n.on || n.events >= n.batch || n.rtt <= 0 {
		return 0
	}
	d := min(n.rtt/napShare, maxNapNs)
	if d < minNapNs || int64(inflight)*d < int64(n.batch)*n.rtt {
		return 0
	}
	return d
}

// sleep naps for ns nanoseconds without giving the loop's P away (a raw
// call, like the loop's epoll_wait). An interrupted nap ends early: the
// loop's wait that follows finds what is ready.
func (n *napper) sleep(ns int64) {
	n.naps++
	n.ts = unix.NsecToTimespec(ns)
	_, _, _ = unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&n.ts)), 0, 0)
}
