package reactor

import (
	"context"
	"crypto/tls"
	"net/netip"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Loop sizes and periods.
const (
	readBufBytes = 64 << 10 // the loop's one read buffer
	maxEvents    = 1024     // events taken per epoll_wait
	tickNs       = engine.IntervalNs
	maxSweepNs   = int64(25 * time.Millisecond)
	minSweepNs   = int64(time.Millisecond)
	// connectBatch bounds the connects a loop starts in one turn before it
	// looks at epoll again. A connect costs tens of microseconds of system
	// calls, and a connect that completed is seen only at the next wait:
	// 2000 connects in one go made each look as long as the whole burst.
	connectBatch = 16
)

// loop is one event loop: one OS thread, one epoll fd, its own
// connections, timers and recorder. Nothing in it is shared with other
// loops except the read-only mix and the open-connection counter.
type loop struct {
	clock engine.Clock
	mix   *mix
	feed  closedFeed
	sched *openFeed // the open model's schedule; nil in the closed model
	hold  *hold     // the hold model's connects and timers; nil in the others
	rec   *stats.Recorder
	tl    engine.Timeline // warm-up end and interval ticks of rec
	live  *stats.Live     // the live progress line's totals; may be nil
	poll  *poller
	nap   napper   // the closed model's wake-up batching
	tls   *tlsLoop // https: the handshakes and each connection's TLS; nil for http

	stopAsked atomic.Bool     // set by the owner before it wakes the loop to stop
	ctx       context.Context // the run's (runLoops): cancelled, the run is interrupted

	conns  []conn
	want   int              // slots [0, want) are wanted; the rest retire (closed-model stages)
	ramp   *engine.ConnRamp // the closed model's connection stages; nil without
	index  int              // this loop's index, and the number of loops:
	nloops int              // connection j of the plan is slot j/nloops of loop j%nloops
	events []unix.EpollEvent
	rbuf   []byte // shared by this loop's connections: parsed in place, never kept
	rxFree []*rx  // the pool of response sides not held by a connection
	maxHdr int    // the response header cap each parser gets

	addrs    []unix.Sockaddr // per loop: connect writes into them
	family   []int
	addrText []string
	src      []unix.Sockaddr

	now         int64 // clock at the last epoll_wait return or read
	pos         int   // next position in the mix's rotation
	outstanding int   // requests in flight on all connections
	nOpen       int   // connections open
	firstConn   int   // slots [firstConn, want) are still to connect for the first time
	open        *atomic.Int64
	peak        int64
	allOpen     *atomic.Int64 // shared: when the plan's connections were first all open at once (ns, >= 1); 0 not yet
	total       int64         // the connections that make all open (Plan.AllOpenConns)

	timeoutNs, connTimeoutNs, sweepNs int64
	measuredNs, endNs                 int64 // start of the measured part; end of the run (0: none)
	nextSweep, nextTick, nextRamp     int64
	inWarmup, stopping, ended         bool      // ended: closeAll runs (see closed)
	warmEndNs                         int64     // once the warm-up ended here, its end: requests due before it are its own; -1 before (see tick)
	backlog                           bool      // open model: requests are due and no connection was free
	cursor                            int       // open model: the next connection pump offers requests to
	lastConnectNs, lastOutcomeNs      int64     // when a connection was last open; the last response or request timeout
	answers                           answerRun // responses answered and not yet recorded
	lateIn                            int       // plain bytes of the read being parsed that went to the warm-up's requests answered after it (consumeRead)

	firstErr      string // first connect failure, for FirstConnectErr
	firstErrNs    int64
	httpToTLS     bool  // a response began with a TLS record, for Result.HTTPToTLS
	stopNs        int64 // when the loop stopped
	openAtEnd     int   // connections open when it stopped
	inFlightAtEnd int   // requests in flight when it stopped
}

// loopConfig is what a loop is built from.
type loopConfig struct {
	plan   *engine.Plan
	clock  engine.Clock
	mix    *mix
	addrs  []int // address index of each connection slot
	pool   *pool // the closed model's request budget, shared by the loops; nil for no limit
	open   *atomic.Int64
	all    *atomic.Int64    // when all the plan's connections were first open at once (loop.allOpen)
	sched  *openFeed        // the open model's share of the schedule; nil for closed
	ramp   *engine.ConnRamp // closed-model connection stages; nil for none
	index  int              // the loop's index among nloops loops
	nloops int
	hold   *hold         // the hold model's state; nil for the others
	tls    *tls.Config   // https: the configuration of every connection; nil for http
	tlsCPU *handshakeCPU // https: the run's handshake tokens (tlsLoop.cpu)
}

// newLoop builds a loop and its poller. The loop owns the poller's epoll
// fd; the caller closes the poller after the loop has returned.
func newLoop(cfg loopConfig) (*loop, error) {
	p := cfg.plan
	depth := p.PipelineOrDefault()
	l := &loop{
		ctx:           context.Background(), // never interrupted, until runLoops gives it the run's
		clock:         cfg.clock,
		mix:           cfg.mix,
		feed:          newClosedFeed(depth, cfg.pool, cfg.index, cfg.mix.wheel),
		sched:         cfg.sched,
		hold:          cfg.hold,
		rec:           stats.NewRecorder(),
		live:          p.Live,
		conns:         make([]conn, len(cfg.addrs)),
		want:          len(cfg.addrs),
		ramp:          cfg.ramp,
		index:         cfg.index,
		nloops:        max(cfg.nloops, 1),
		events:        make([]unix.EpollEvent, min(len(cfg.addrs)+1, maxEvents)),
		rbuf:          make([]byte, max(readBufBytes, 2*p.MaxHeaderBytesOrDefault()+4096)),
		open:          cfg.open,
		allOpen:       cfg.all,
		total:         int64(p.AllOpenConns()),
		timeoutNs:     int64(p.TimeoutOrDefault()),
		connTimeoutNs: int64(p.ConnectTimeoutOrDefault()),
		measuredNs:    int64(p.Warmup),
		inWarmup:      p.Warmup > 0,
		warmEndNs:     -1,
		nap:           newNapper(cfg.sched == nil && cfg.hold == nil, depth),
	}
	l.tl = engine.NewTimeline(l.rec, p.Warmup, p.EndNs(), p.Live)
	l.sweepNs = min(max(min(l.timeoutNs, l.connTimeoutNs)/20, minSweepNs), maxSweepNs)
	if d := p.DurationOrDefault(); d > 0 {
		l.endNs = l.measuredNs + int64(d)
	}
	for _, ap := range p.Addrs {
		sa, fam := sockaddr(ap)
		l.addrs, l.family, l.addrText = append(l.addrs, sa), append(l.family, fam), append(l.addrText, ap.String())
	}
	for _, a := range p.SourceAddrs {
		sa, _ := sockaddr(netip.AddrPortFrom(a, 0))
		l.src = append(l.src, sa)
	}
	slab := make([]sent, len(cfg.addrs)*depth)
	l.maxHdr = p.MaxHeaderBytesOrDefault()
	l.rxFree = make([]*rx, 0, len(cfg.addrs)) // never grows: at most one rx per connection
	for i := range l.conns {
		c := &l.conns[i]
		c.fd, c.slot, c.addr = -1, int32(i), int32(cfg.addrs[i])
		c.ring = slab[i*depth : (i+1)*depth : (i+1)*depth]
	}
	poll, err := newPoller()
	if err != nil {
		return nil, err
	}
	l.poll = poll
	if cfg.tls != nil {
		l.tls = newTLSLoop(l, cfg.tls, cfg.tlsCPU, p.Addrs)
	}
	return l, nil
}

// sockaddr converts an address to the form connect takes.
func sockaddr(ap netip.AddrPort) (unix.Sockaddr, int) {
	if a := ap.Addr().Unmap(); a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, unix.AF_INET
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}, unix.AF_INET6
}

// run is the loop's goroutine: it connects every slot (connectBatch at a
// time, one batch a turn), then turns the four
// steps (wait, dispatch, timers, wake-up) until the run ends, and closes
// its sockets. The poller stays open for the owner to close.
func (l *loop) run() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.closeAll()

	l.now = l.clock.Now()
	l.lastConnectNs, l.lastOutcomeNs = l.now, l.now
	l.nextSweep = l.now + l.sweepNs
	l.nextTick = l.measuredNs
	if !l.inWarmup {
		l.nextTick += tickNs
	}
	if l.ramp != nil {
		l.want = l.wantAt(l.ramp.At(time.Duration(l.now)))
		l.nextRamp = l.now + rampStepNs
	}
	if l.hold != nil {
		l.loadNext()
		l.firstConn = len(l.conns) // the hold model connects on its schedule
	}
	l.connectFirst()
	for !l.finished() {
		// 1. Wait for events or the nearest deadline, after a nap when
		// the target has enough to do meanwhile (nap_linux.go).
		wait := l.waitNs()
		if d := l.nap.length(l.outstanding); d > 0 && wait > 0 {
			l.nap.sleep(min(d, wait))
			wait = 0
		}
		n, err := l.poll.wait(l.events, wait)
		if err != nil {
			return err
		}
		l.nap.events = n
		l.now = l.clock.Now()
		l.tick()
		if l.ctx.Err() != nil {
			// Interrupted (Ctrl-C): what this wait brought came after it
			// and is not counted, as after the planned end (see over).
			// The owner's wake-up comes a little later, from another
			// goroutine; ctx says it at once. One check per wait, not
			// per read.
			l.stopping = true
			continue
		}
		// 2. Dispatch each event to its connection.
		woken := false
		for i := range l.events[:n] {
			ev := &l.events[i]
			if ev.Fd == wakeTag {
				woken = true
				continue
			}
			l.dispatch(ev)
		}
		// 3. Run the timers that are due, and send the requests due.
		l.timers()
		l.refill()
		l.pump()
		// 4. Drain the wake-up: the owner asks the loop to stop, or
		// handshakes have ended. Drained first, so that a handshake that
		// ends after the list was taken wakes the loop again.
		if woken {
			l.poll.drain()
			if l.tls != nil {
				l.takeHandshakes()
			}
			if l.stopAsked.Load() {
				l.stopping = true
			}
		}
	}
	return nil
}

// dispatch handles one event of a connection, in a fixed order. Errors
// come first: the socket is unusable whatever else is flagged, but an open
// one is read to its error first, so that responses that arrived before
// the peer's reset are counted, as the other modes, which read before they
// see the error, count them (a loop that wakes late sees both in one
// event). Writable comes before readable so that a connect completes, and
// its first batch goes out, before the socket is read. Readable comes
// before hang-up so that responses that arrived before the peer's FIN are
// counted before the connection is closed. Each step may close the
// socket: the generation check stops the later steps from touching its
// successor.
func (l *loop) dispatch(ev *unix.EpollEvent) {
	c := &l.conns[ev.Fd]
	gen := ev.Pad
	if c.gen != gen || c.fd < 0 || l.over() {
		return // a socket closed earlier in this batch, or the run is over
	}
	if l.tls != nil && c.state == stateHandshaking {
		l.tls.conns[c.slot].signal() // the handshake's goroutine reads and writes the socket
		return
	}
	e := ev.Events
	if e&unix.EPOLLERR != 0 {
		if c.state == stateOpen && e&unix.EPOLLIN != 0 {
			if !l.onReadable(c, true) || c.gen != gen {
				return // closed on its error, or read after the end
			}
		}
		l.onError(c)
		return
	}
	if e&unix.EPOLLOUT != 0 {
		l.onWritable(c)
		if c.gen != gen {
			return
		}
	}
	if e&unix.EPOLLIN != 0 && c.state == stateOpen {
		if !l.onReadable(c, false) {
			return
		}
	}
	if e&(unix.EPOLLRDHUP|unix.EPOLLHUP) != 0 && c.gen == gen {
		if c.state == stateOpen {
			l.onReadable(c, true) // reads to the EOF, which closes and reconnects
			return
		}
		l.onError(c)
	}
}

// finished reports whether the loop should stop: asked to, out of time,
// or the run's request budget spent and answered. A loop with nothing to
// send nor in flight while other loops hold requests of the budget waits
// for them (they may give some back: see pool). A run bounded only by a
// request count also gives up when no connection could be made for a
// whole connect timeout, or no request was answered or timed out for a
// connect and a request timeout (connections failing before any request
// is written would otherwise never spend the budget). Requests that time
// out are outcomes: against a target that never answers, the run sends
// its whole count, each request failing by its timeout, as the other
// modes do.
func (l *loop) finished() bool {
	switch {
	case l.stopping:
		return true
	case l.feed.spent() && l.outstanding == 0:
		switch l.feed.settle() {
		case budgetSpent:
			return true
		case budgetHeld:
			// Waiting for the others is not failing: the give-up clocks
			// start when requests come back.
			l.lastConnectNs, l.lastOutcomeNs = l.now, l.now
			return false
		}
	}
	switch {
	case l.sched != nil && l.sched.spent() && l.outstanding == 0:
		return true
	case l.endNs != 0:
		return false
	case l.nOpen == 0 && l.now-l.lastConnectNs > l.connTimeoutNs:
		return true
	case l.now-l.lastOutcomeNs > l.connTimeoutNs+l.timeoutNs:
		return true
	}
	return false
}

// refill resumes a loop that found the request budget empty once
// requests have come back to the pool: its open connections take them,
// and the slots left without a connection connect again (those in a
// backoff reconnect at its end, in sweep). It walks the connections once
// per return to the pool, never per request.
func (l *loop) refill() {
	if !l.feed.starved || l.stopping || l.feed.pool.empty() {
		return
	}
	l.feed.fed()
	for i := range l.conns[:l.want] {
		c := &l.conns[i]
		switch {
		case c.state == stateOpen:
			l.fill(c)
		case c.state == stateIdle && c.fd < 0 && !l.feed.exhausted():
			l.connect(c)
		}
	}
}

// connectFirst starts the first connects of the next connectBatch wanted
// slots that have not had one; the loop turns (without waiting) until
// every slot has had its first.
func (l *loop) connectFirst() {
	end := min(l.firstConn+connectBatch, l.want)
	for ; l.firstConn < end; l.firstConn++ {
		c := &l.conns[l.firstConn]
		if c.state == stateIdle && c.fd < 0 && !l.stopping && !l.feed.exhausted() {
			l.connect(c)
		}
	}
}

// opened and closed keep the open-connection counts: the loop's, the
// shared counter that gives the exact peak across loops (and the first
// moment the plan's connections were all open at once, in every model),
// and the live progress line's, so it shows connections as they open.
// Each is touched per connect, not per request.
func (l *loop) opened(c *conn) {
	l.nOpen++
	l.lastConnectNs = l.now
	l.live.AddOpen(1)
	v := l.open.Add(1)
	if v > l.peak {
		l.peak = v
	}
	if v >= l.total && l.allOpen != nil && l.allOpen.Load() == 0 {
		l.allOpen.CompareAndSwap(0, max(l.now, 1))
	}
	if l.hold != nil {
		l.holdOpened(c)
	}
}

func (l *loop) closed() {
	l.nOpen--
	l.lastConnectNs = l.now // it was open until now: the target was reachable (finished)
	if !l.ended {
		l.open.Add(-1)
	}
	l.live.AddOpen(-1)
}

// closeAll ends the loop: it closes every socket, leaving the counts of
// what was open and in flight. The owner finishes the timeline once all
// loops have stopped, so that all close the same intervals.
//
// Its connections stay counted in the shared open counter: the loops stop
// one after another, and one that took its connections off the count would
// make room, under the peak, for another's last connects, so that the
// open connections at the end (summed over the loops) could exceed the
// peak.
func (l *loop) closeAll() {
	l.now = l.clock.Now()
	l.stopNs = l.now
	l.stopping = true
	l.ended = true
	l.unsendAll() // before what is in flight is read
	l.openAtEnd, l.inFlightAtEnd = l.nOpen, l.outstanding
	l.unreserveAll()
	l.feed.putBack() // what it claimed and did not send, for the loops still running
	if l.sched != nil {
		end := l.now
		if l.endNs > 0 {
			end = min(end, l.endNs)
		}
		l.rec.Dropped += l.sched.dropAll(end)
	}
	if l.tls != nil {
		l.stopHandshakes() // before the sockets they use close
	}
	for i := range l.conns {
		l.closeSocket(&l.conns[i])
	}
}

// pump offers the requests due to the free connections, round robin from
// where it last stopped, until none is due or every connection was asked.
// A connection freed later (an answer, a connect, a finished write) takes
// the due requests itself in fill, so while every connection is known busy
// (backlog) pump does not walk them, and epoll_wait waits for their events
// rather than the overdue requests.
func (l *loop) pump() {
	if l.sched == nil || l.backlog || l.stopping || !l.sched.ready(l.dueLimit()) {
		return
	}
	n := len(l.conns)
	for i := 0; i < n && l.sched.ready(l.dueLimit()); i++ {
		c := &l.conns[l.cursor]
		if l.cursor++; l.cursor == n {
			l.cursor = 0
		}
		l.fill(c)
	}
	l.backlog = l.sched.ready(l.dueLimit())
}

// dueLimit returns the latest due time of the open model's requests to
// send now: now, but none due at or after the end of the run.
func (l *loop) dueLimit() int64 {
	if l.endNs > 0 {
		return min(l.now, l.endNs-1)
	}
	return l.now
}
