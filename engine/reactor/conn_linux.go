package reactor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// connState is where a connection is in its life.
type connState uint8

const (
	stateIdle        connState = iota // no socket and none planned: the run is ending
	stateBackoff                      // no socket; reconnect at dueNs
	stateConnecting                   // connect in progress since dueNs (the connect call itself)
	stateOpen                         // connected; requests may be in flight
	stateHandshaking                  // https: connected, a goroutine runs the TLS handshake (tls_linux.go)
)

// sent is one request in flight: when it was written, when it was meant
// to be (the open model's due time; the write time in the closed model)
// and which request of the plan it is (the parser must know a HEAD
// response has no body).
type sent struct {
	ns  int64
	due int64
	req int32
}

// conn is one connection slot of a loop, preallocated and reused across
// reconnects: it is its own state machine. It is small and fixed (104
// bytes; the ring of send times is a slice of the loop's slab, sized by
// the pipeline): what only a response on its way needs, the parser and a
// partial line, is in an rx the connection holds only while requests are
// in flight, so an idle connection owns no buffer.
type conn struct {
	fd       int32
	slot     int32
	gen      int32        // bumped on every close: tags epoll events of this socket
	addr     int32        // index into the loop's addresses
	retry    engine.Retry // connects failed in a row, and connections that ended unanswered
	head     int32        // the oldest request in flight, in ring
	inflight int32        // requests committed to this socket, not yet answered
	woff     int32        // bytes of wbuf written
	dueNs    int64        // connecting: when connect began; backoff: when to retry

	ring []sent // depth entries, oldest in flight at head
	wbuf []byte // the batch being written (a slice of the mix), written up to woff
	rx   *rx    // the response side while requests are in flight; nil when idle

	state    connState
	answered bool // a response arrived on this socket
	reserved bool // holds a request of the budget for its first batch (closedFeed.reserve)
}

// writing reports whether part of a batch is still to be written.
func (c *conn) writing() bool { return int(c.woff) < len(c.wbuf) }

// errStray explains a connection closed because bytes came that no request
// asked for.
var errStray = errors.New("reactor: response bytes with no request in flight")

// connect opens a non-blocking socket to the slot's address and starts
// connecting. Its end (writable, then SO_ERROR) is handled in onWritable.
// A closed-model connection of a counted run opens only with a request of
// the budget reserved for it (reserve); without one it stays idle, until
// requests come back to the pool (refill).
func (l *loop) connect(c *conn) {
	if !l.reserve(c) {
		c.state = stateIdle
		return
	}
	fd, err := unix.Socket(l.family[c.addr], unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.state = stateConnecting
		l.fail(c, engine.ConnectKind(err), os.NewSyscallError("socket", err))
		return
	}
	c.fd, c.state, c.dueNs, c.answered = int32(fd), stateConnecting, l.now, false
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		l.fail(c, stats.ErrConnect, os.NewSyscallError("setsockopt TCP_NODELAY", err))
		return
	}
	if len(l.src) > 0 {
		// Let connect pick the port, per destination, rather than bind: a
		// source address then serves more than one ephemeral range's worth
		// of connections. A kernel without the option binds a port now.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		if err := unix.Bind(fd, l.src[l.global(c)%len(l.src)]); err != nil {
			// The address is not this host's, is of the other family, or
			// has no port left: all say the source cannot be used.
			l.fail(c, stats.ErrAddrNotAvail, os.NewSyscallError("bind", err))
			return
		}
	}
	// The handshake starts now: a fresh clock, not l.now, which is as old
	// as the loop's wake-up and, in a burst of connects, older by every
	// connect made since.
	c.dueNs = l.clock.Now()
	if err := unix.Connect(fd, l.addrs[c.addr]); err != nil && err != unix.EINPROGRESS {
		l.fail(c, engine.ConnectKind(err), err)
		return
	}
	if err := l.poll.add(fd, int(c.slot), c.gen); err != nil {
		l.fail(c, stats.ErrConnect, err)
	}
}

// onError handles EPOLLERR: the socket is unusable.
func (l *loop) onError(c *conn) {
	errno := soError(int(c.fd))
	if errno == 0 {
		errno = unix.EIO // EPOLLERR with no error pending: still unusable
	}
	if c.state == stateConnecting {
		l.fail(c, engine.ConnectKind(errno), errno)
		return
	}
	l.fail(c, engine.IOKind(errno, false), nil)
}

// onWritable completes a connect, or resumes a partial write.
func (l *loop) onWritable(c *conn) {
	switch c.state {
	case stateConnecting:
		if errno := soError(int(c.fd)); errno != 0 {
			l.fail(c, engine.ConnectKind(errno), errno)
			return
		}
		if l.tls != nil {
			l.startHandshake(c) // counted open when it ends (takeHandshakes)
			return
		}
		// l.now is when this wake-up saw the connect done: at most a
		// connect batch (connectBatch) after it was.
		l.rec.RecordConnect(l.now - c.dueNs)
		c.state = stateOpen
		l.opened(c)
		l.fill(c)
	case stateOpen:
		if c.writing() && l.flush(c) && !c.writing() && (l.tls == nil || l.sealMore(c)) {
			l.fill(c) // responses may have been read while the write was stuck
		}
	}
}

// onReadable reads and parses what arrived. A short read means the socket
// had no more for now: with edge triggering the next bytes raise a new
// event, so it does not read again to see EAGAIN (that read cost about 20%
// of the client's CPU). drain reads until EOF or EAGAIN, for a hang-up.
// It returns false when the connection was closed, or when the read came
// after the planned end (see over), which stops the loop.
func (l *loop) onReadable(c *conn, drain bool) bool {
	if l.tls != nil {
		return l.onReadableTLS(c) // reads to EAGAIN whatever drain says
	}
	for {
		keep := 0
		if c.rx != nil {
			keep = copy(l.rbuf, c.rx.carry)
		}
		space := l.rbuf[keep:]
		n, err := readFd(int(c.fd), space)
		if err != nil {
			if err == unix.EAGAIN {
				break
			}
			if err == unix.EINTR {
				continue
			}
			if l.now = l.clock.Now(); l.over() {
				l.stopping = true
				return false // failed after the end: its requests stay in flight
			}
			l.fail(c, engine.IOKind(err, false), nil)
			return false
		}
		// One clock read per read(): the end time of the responses parsed
		// now and the send time of the requests written next.
		l.now = l.clock.Now()
		if l.over() {
			l.stopping = true
			return false // read after the end: not counted; closeAll closes the socket
		}
		if n == 0 {
			l.eof(c)
			return false
		}
		l.rec.RecordReceived(n)
		if !l.consumeRead(c, keep, n, n) {
			return false
		}
		if n < len(space) && !drain {
			break
		}
	}
	l.fill(c)
	if c.inflight == 0 && c.rx != nil {
		l.putRx(c) // idle: nothing partial is left once all are answered
	}
	return true
}

// consume parses what a read brought (after the partial line carried
// from the last read, which it now holds) and tells the napper how many
// responses it completed. It returns false when the connection was closed.
func (l *loop) consume(c *conn, buf []byte) bool {
	if c.rx != nil {
		c.rx.carry = c.rx.carry[:0]
	}
	before := c.inflight
	if !l.parse(c, buf) {
		return false
	}
	if k := before - c.inflight; k > 0 {
		l.nap.read(int(k))
	}
	return true
}

// parse feeds buf to the connection's parser and records each response it
// completes. It returns false when the connection was closed.
//
// A pipelined read holds a batch of responses that are usually the same
// bytes over and over. The parser is deterministic: from a clean start
// (nothing in progress) the same bytes, answering the same kind of request
// (HEAD or not), give the same response. So when the next bytes repeat
// the response just parsed from a clean start, they are answered without
// parsing them again: one comparison with bytes still in the cache.
func (l *loop) parse(c *conn, buf []byte) bool {
	var last []byte // the response last completed from a clean start in buf
	lastHead := false
	for len(buf) > 0 {
		if c.inflight == 0 {
			// Bytes nobody asked for (on an idle connection, or after the
			// last response in flight): the server broke HTTP/1.1 and the
			// stream cannot be trusted. One bad response, as in every
			// mode, and a new connection.
			l.flushAnswers()
			l.rec.RecordError(stats.ErrBadResponse)
			l.fail(c, stats.ErrBadResponse, errStray)
			return false
		}
		s := &c.ring[c.head]
		head := l.mix.head[s.req]
		warm := s.due < l.warmEndNs // the warm-up's request, answered after it: its bytes are the warm-up's
		if len(last) > 0 && head == lastHead && bytes.HasPrefix(buf, last) {
			buf = buf[len(last):]
			if warm {
				l.lateIn += len(last)
			}
			l.answer(c) // the same response again; the parser's last response is it
			continue
		}
		clean := !c.rx.p.Busy()
		n, done, err := c.rx.p.Parse(buf, head)
		if err != nil {
			if warm {
				l.lateIn += len(buf) // the failed response's
			}
			l.httpToTLS = l.httpToTLS || errors.Is(err, wire.ErrTLSRecord)
			l.flushAnswers()
			l.fail(c, parseKind(err), err)
			return false
		}
		if !done {
			if warm {
				l.lateIn += len(buf) // what it took, and what is carried for the rest of it
			}
			if n < len(buf) {
				c.rx.carry = append(c.rx.carry[:0], buf[n:]...)
			}
			break
		}
		if warm {
			l.lateIn += n
		}
		last, lastHead = nil, head
		if clean {
			last = buf[:n]
		}
		buf = buf[n:]
		l.answer(c)
		if !c.rx.p.KeepAlive() {
			l.flushAnswers()
			l.giveBack(c)
			l.release(c)
			return false
		}
	}
	l.flushAnswers()
	return true
}

// eof handles the peer's close: it may complete a body delimited by the
// close; requests still in flight then fail.
func (l *loop) eof(c *conn) {
	if c.rx == nil {
		l.release(c) // idle: a clean close between responses
		return
	}
	done, err := c.rx.p.EOF()
	if err != nil {
		l.fail(c, stats.ErrRead, err)
		return
	}
	if done && c.inflight > 0 {
		l.answer(c)
		l.flushAnswers()
	}
	l.release(c)
}

// fill asks the load model how many requests to start on c and writes
// them as one batch, stamped with l.now.
func (l *loop) fill(c *conn) {
	if c.state != stateOpen || c.writing() || l.hold != nil {
		return // the hold model sends only on its timers
	}
	if l.retired(c) {
		l.retire(c) // the ramp went down: no new request, close once drained
		return
	}
	if l.commit(c) {
		if l.tls != nil {
			l.sendTLS(c)
			return
		}
		l.flush(c)
	}
}

// commit takes the next requests from the load model into c's ring of
// send times and makes their bytes c's pending write. It reports whether
// there is anything to write. In the open model it takes the requests due
// by now, in order, as many as c has room for, and records how late each
// is sent.
func (l *loop) commit(c *conn) bool {
	l.tick() // a boundary passed since the loop last looked: this batch is after it
	if l.sched == nil && l.over() {
		return false // a closed-model request is due when written: none after the end
	}
	tail := int(c.head + c.inflight)
	k, warm := 0, 0
	if l.sched != nil {
		until := l.dueLimit()
		for room := len(c.ring) - int(c.inflight); k < room && l.sched.ready(until); k++ {
			if tail >= len(c.ring) {
				tail -= len(c.ring)
			}
			due := l.sched.pop()
			if due < l.warmEndNs {
				warm++ // due in the warm-up, which has ended: the warm-up's, late
			} else {
				l.rec.RecordSendLag(l.now - due)
			}
			c.ring[tail] = sent{ns: l.now, due: due, req: l.mix.seq[l.pos+k]}
			tail++
		}
		if !l.sched.ready(until) {
			l.backlog = false
		}
	} else {
		l.unreserve(c) // taken again below, with the others
		k = l.feed.take(int(c.inflight), l.inWarmup, l.now)
		for i := range k {
			if tail >= len(c.ring) {
				tail -= len(c.ring)
			}
			c.ring[tail] = sent{ns: l.now, due: l.now, req: l.mix.seq[l.pos+i]}
			tail++
		}
	}
	if k == 0 {
		return false
	}
	b, next := l.mix.batch(l.pos, k)
	l.pos = next
	if c.rx == nil {
		l.takeRx(c)
	}
	c.inflight += int32(k)
	l.outstanding += k
	l.rec.RecordSent(k-warm, 0)
	l.rec.Warmup.Requests += uint64(warm)
	c.wbuf, c.woff = b, 0
	return true
}

// flush writes the rest of the batch. It returns false when the
// connection failed. A partial write loops to EAGAIN, after which
// EPOLLOUT resumes it.
func (l *loop) flush(c *conn) bool {
	for c.writing() {
		n, err := writeFd(int(c.fd), c.wbuf[c.woff:])
		if n > 0 {
			c.woff += int32(n)
			l.rec.RecordSent(0, n)
		}
		if err != nil {
			if err == unix.EAGAIN {
				return true
			}
			if err == unix.EINTR {
				continue
			}
			l.fail(c, engine.IOKind(err, true), nil)
			return false
		}
	}
	return true
}

// release closes a connection the peer ended cleanly (Connection: close,
// or EOF between responses) and opens the next one: at once, or after the
// backoff when it ended before it proved the target serves
// (engine.Retry.Ended). Requests still in flight were never answered:
// they fail. A held connection ended with none is counted as closed by
// the server.
func (l *loop) release(c *conn) {
	if c.inflight > 0 {
		l.fail(c, stats.ErrRead, nil)
		return
	}
	if l.hold != nil {
		l.rec.ServerClosed++
	}
	wait := l.connEnded(c)
	l.closeSocket(c)
	l.reconnect(c, wait)
}

// fail is the one path of every failure: it counts the failure by kind (a
// failed connect once, a failed connection once per request in flight),
// closes the socket and reconnects, after a backoff if the connect failed
// or the connection ended before it proved the target serves
// (engine.Retry), so a dead target does not spin the CPU. cause explains
// a connect failure in FirstConnectErr.
func (l *loop) fail(c *conn, kind stats.ErrorKind, cause error) {
	if kind.IsConnectError() {
		l.rec.RecordError(kind)
		if l.firstErr == "" {
			l.firstErr = fmt.Sprintf("connect %s: %v", l.addrText[c.addr], cause)
			l.firstErrNs = l.now
		}
		if l.nOpen == 0 && l.outstanding == 0 {
			l.unreserveAll()
			l.feed.putBack() // nothing to send them on: for the other loops
		}
	} else {
		// Each request in flight failed; a connection that fails with
		// none in flight failed no request, and shows as a reconnect. A
		// held one the server reset so is closed by the server, as one
		// it ended with a FIN (release).
		l.failInFlight(c, kind)
		l.outstanding -= int(c.inflight)
		if c.inflight == 0 && kind == stats.ErrReset && l.hold != nil && c.state == stateOpen {
			l.rec.ServerClosed++
		}
	}
	wait := l.connEnded(c)
	l.closeSocket(c)
	l.reconnect(c, wait)
}

// connEnded counts the end of c's connect or connection in its backoff and
// returns how long to wait before the next connect: a connect that failed
// (a TLS handshake's included) is one more failure in a row; an open
// connection, since its connect began (dueNs), ends them if answered or
// held long enough (engine.Retry.Ended).
func (l *loop) connEnded(c *conn) time.Duration {
	if c.state != stateOpen {
		return c.retry.ConnectFailed()
	}
	return c.retry.Ended(c.answered, l.now-c.dueNs)
}

// closeSocket closes c's socket, if any, and forgets its requests; a
// request reserved for it goes back to the loop's budget.
func (l *loop) closeSocket(c *conn) {
	l.unreserve(c)
	if c.state == stateOpen {
		l.closed()
		if l.hold != nil && l.hold.everyNs > 0 {
			l.hold.timers.remove(c.slot)
		}
	}
	if c.fd >= 0 {
		_ = unix.Close(int(c.fd)) // the fd is released whatever close returns
		c.fd = -1
	}
	c.gen++
	c.head, c.inflight = 0, 0
	c.wbuf, c.woff = nil, 0
	if c.rx != nil {
		l.putRx(c)
	}
	c.answered = false
	c.state = stateIdle
}

// reconnect opens c again, now or after wait, unless the run is ending
// or the loop will start no more requests.
func (l *loop) reconnect(c *conn, wait time.Duration) {
	if l.stopping || l.feed.exhausted() || l.retired(c) {
		return
	}
	due := l.now + int64(wait)
	switch {
	case l.hold != nil && l.hold.replace != nil:
		l.holdReplace(c, due) // on the next free connect slot
	case wait > 0:
		c.state, c.dueNs = stateBackoff, due
	default:
		l.connect(c)
	}
}
