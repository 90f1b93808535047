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
// response time (1/pipelinedNapShare when connections pipeline: their
// response time is mostly the wait behind their own earlier requests at a
// busy target, which a nap shifts into the client's socket buffer rather
// than adds to; measured at -c 100 --pipeline 16, p50 did not rise and
// the client's CPU per response fell about 5%). A connection waiting on a slow target (few requests in
// flight, a long delay) never naps; neither does the open model, whose
// send times are the schedule's, nor the hold model.
//
// A nap must also expect at least napEvents sockets to be ready when it
// ends, not just responses: pipelined responses come a batch to a read, so
// 16 responses may be one socket, and a wake-up for one socket is what
// epoll_wait gives without a nap. Against a server that answers 2 ms
// late, 25 connections pipelining 16 deep found 1.6 sockets per nap, and
// napping cost 40% more CPU than blocking in epoll_wait (whose wake-ups
// the server's bursts already batched) and 0.1 ms of latency.
const (
	napBatch          = 16       // events worth waking for; responses a nap must expect
	napEvents         = 4        // ready sockets a nap must expect
	napShare          = 16       // a nap lasts at most this fraction of the response time
	pipelinedNapShare = 8        // the same when connections pipeline
	maxNapNs          = 300_000  // the longest nap
	minNapNs          = 50_000   // shorter naps are not worth a timer
	rttShift          = 4        // the averages weigh the last 2^4 observations most
	noRTT             = int64(0) // no response seen yet
	readScale         = 16       // perRead is fixed-point: responses per read times readScale
)

// napper decides the loop's naps. It holds a moving average of the
// response time and what the last wait found; the loop feeds it both.
type napper struct {
	on      bool          // the closed model: naps are allowed
	batch   int           // napBatch; tests lower it
	ready   int           // napEvents; tests lower it
	share   int64         // napShare, or pipelinedNapShare when connections pipeline
	rtt     int64         // moving average of the response time, ns
	perRead int64         // moving average of the responses a read completes, times readScale; 0 before the first
	events  int           // events the last wait returned
	naps    int64         // naps taken, for tests and profiling
	ts      unix.Timespec // scratch for nanosleep, so a nap does not allocate
}

// observe adds one response time to the average.
func (n *napper) observe(rttNs int64) {
	if n.rtt == noRTT {
		n.rtt = rttNs
		return
	}
	n.rtt += (rttNs - n.rtt) >> rttShift
}

// read adds to the average of responses per read the k responses one
// read completed.
func (n *napper) read(k int) {
	v := int64(k) * readScale
	if n.perRead == 0 {
		n.perRead = v
		return
	}
	n.perRead += (v - n.perRead) >> rttShift
}

// length returns how long to nap before the next wait, or 0 for no nap,
// given the requests in flight. By Little's law the loop receives about
// inflight/rtt responses per nanosecond, so a nap of d expects
// inflight*d/rtt of them, and that many divided by the responses per read
// ready sockets.
func (n *napper) length(inflight int) int64 {
	if !n.on || n.events >= n.batch || n.rtt <= 0 {
		return 0
	}
	d := min(n.rtt/n.share, maxNapNs)
	if d < minNapNs {
		return 0
	}
	arrivals := int64(inflight) * d // responses expected during the nap, times rtt
	if arrivals < int64(n.batch)*n.rtt || arrivals*readScale < int64(n.ready)*max(n.perRead, readScale)*n.rtt {
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

// newNapper returns the napper of a loop whose connections keep depth
// requests in flight each; on says naps are allowed (the closed model).
func newNapper(on bool, depth int) napper {
	share := int64(napShare)
	if depth > 1 {
		share = pipelinedNapShare
	}
	return napper{on: on, batch: napBatch, ready: napEvents, share: share}
}
