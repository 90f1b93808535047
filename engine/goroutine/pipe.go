package goroutine

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// pipeline is a slot's pipelined connection (pipeline depth > 1). The
// slot's workers take turns to write their requests on it, each with the
// plan's bytes as the other modes write them, and one reader goroutine per
// connection reads the responses in order with fasthttp's parser:
//
//	worker:  lock ─> dial if no conn ─> write request ─> queue call ─> unlock ─> wait (done or timeout)
//	reader:  read response ─> hand it to the oldest queued call ─> ... ─> teardown: fail or give back the rest
//
// nowait does this itself rather than with fasthttp's PipelineClient,
// which dials on a goroutine of its own and sleeps a second after a failed
// connect while its callers wait out their whole timeout (nothing the
// stopper closes can end that wait), and which fails the requests behind a
// Connection: close response. Here the worker that dials sees its connect
// fail at once, closing the connection ends every request on it, and the
// requests behind a Connection: close are given back to be sent again.
type pipeline struct {
	s       *slot
	readBuf int // bytes of a connection's read buffer: the longest response header

	mu       sync.Mutex // serialises dials and writes; guards the fields below
	cur      *pipeConn  // the open connection, nil when there is none
	failedNs int64      // run-clock time of the last failed connect
	failErr  error      // the last failed connect's error; nil once one succeeds

	readers sync.WaitGroup // one reader per connection
}

// pipeConn is one connection of a pipeline, with the requests written on
// it and not yet answered.
type pipeConn struct {
	nc      net.Conn       // what requests are written to and responses read from (TLS or plain)
	tcp     net.Conn       // the TCP connection under nc: closing it ends every read and write
	pending chan *pipeCall // written, unanswered, in the order written; the slot's depth fits
	cause   atomic.Pointer[error]
	src     countReader // nc as the reader reads it, counting the bytes (the reader's own)
}

// countReader reads from r and counts the bytes it read, so that the
// pipeline's reader knows each response's size (pipeCall.size). What pre
// holds is read first: header blocks given CR LF line ends, and what came
// after them (lf.go).
type countReader struct {
	r   io.Reader
	pre []byte
	n   int64
}

func (c *countReader) Read(b []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(b, c.pre)
		c.pre = c.pre[n:]
		c.n += int64(n)
		return n, nil
	}
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// crlf has br's next response read with CR LF line ends when a line of
// its header ends with a lone LF (lf.go). What it puts back before the
// connection's bytes is taken off the count: the bytes br held were
// counted when read, and the CRs added never came on the wire, so that
// the sizes the reader measures (taken) stay the wire's.
func (pc *pipeConn) crlf(br *bufio.Reader) error {
	fixed, n, err := crlfAhead(br)
	if err != nil || fixed == nil {
		return err
	}
	out := crlfTaken(br, fixed, n)
	pc.src.pre = append(out, pc.src.pre...)
	pc.src.n -= int64(len(out))
	return nil
}

// pipeCall is one worker's request on a pipeline, made once per worker
// and reused: the reader fills resp and then sends the outcome on done.
type pipeCall struct {
	resp  *fasthttp.Response
	head  bool        // a HEAD request: its response has no body
	done  chan error  // capacity 1: one outcome per request
	timer *time.Timer // the request timeout, reused
	// writeErr is why the request could not be written, nil when it was;
	// set by the worker before it queues the call.
	writeErr error
	// size is the bytes of its response the reader took (plaintext over
	// TLS), the failed one's too; 0 when none was read. Set by the reader
	// before it hands the outcome on done.
	size uint64
}

func newPipeline(s *slot, readBuf int) *pipeline {
	return &pipeline{s: s, readBuf: readBuf}
}

// roundTrip writes raw (one request) on the pipeline's connection, opening
// one if there is none, and waits for its response in c.resp, at most
// timeout. It returns errResend when a Connection: close response before
// it means the server never processed it, a *dialError or errStopped when
// it could not be sent.
func (p *pipeline) roundTrip(c *pipeCall, raw []byte, timeout time.Duration) error {
	askedNs := p.s.r.clock.Now()
	p.mu.Lock()
	pc, err := p.connLocked(askedNs)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	c.writeErr, c.size = nil, 0
	if _, err := pc.nc.Write(raw); err != nil {
		// The server closed or reset the connection: this request did
		// not reach it whole. It waits with the others for the reader's
		// verdict (which comes soon: the connection is gone): sent again
		// if a response before it said Connection: close, else failed.
		c.writeErr = err
	}
	// Queued under the same lock as the write, so the queue keeps the
	// order of the requests on the wire.
	pc.pending <- c
	p.mu.Unlock()
	return p.await(pc, c, timeout)
}

// connLocked returns the open connection or opens one; the caller holds
// p.mu. The slot backs off as in the other modes (engine.Retry, see
// slot.awaitConnect): a request that waited for the lock while a connect
// failed shares that failure, and one that comes before the backoff ends
// gets errBackingOff, instead of connecting again, so the slot's workers
// together try one connect per backoff, not one each. Either is a request
// not sent, as after a failed connect.
func (p *pipeline) connLocked(askedNs int64) (*pipeConn, error) {
	if p.cur != nil {
		return p.cur, nil
	}
	if p.failErr != nil && p.failedNs >= askedNs {
		return nil, p.failErr
	}
	if now := p.s.r.clock.Now(); p.s.connectAt(now) > now {
		return nil, &dialError{errBackingOff}
	}
	nc, err := p.s.dial("")
	if err != nil {
		p.failedNs, p.failErr = p.s.r.clock.Now(), err
		return nil, err
	}
	p.failErr = nil
	pc := &pipeConn{nc: nc, tcp: nc, pending: make(chan *pipeCall, p.s.r.depth), src: countReader{r: nc}}
	if tc, ok := nc.(*tls.Conn); ok {
		pc.tcp = tc.NetConn() // closing it never blocks on a close_notify
	}
	p.cur = pc
	p.readers.Add(1)
	go func() { // owned by the pipeline: ends when the connection fails or closes
		defer p.readers.Done()
		p.read(pc)
	}()
	return pc, nil
}

// await waits for c's outcome. A late response fails the whole connection
// with a timeout, as the other modes do (the responses after it would be
// as late), and then waits for the reader to hand c back, so that nothing
// writes c.resp once the worker goes on.
func (p *pipeline) await(pc *pipeConn, c *pipeCall, timeout time.Duration) error {
	if c.timer == nil {
		c.timer = time.NewTimer(timeout)
	} else {
		c.timer.Reset(timeout) // since Go 1.23 Reset drops a stale tick
	}
	select {
	case err := <-c.done:
		c.timer.Stop()
		return err
	case <-c.timer.C:
	}
	pc.fail(fasthttp.ErrTimeout)
	return <-c.done // a response that came in time after all, or the timeout
}

// read reads pc's responses in order until the connection fails or a
// response says Connection: close, and then tears pc down.
func (p *pipeline) read(pc *pipeConn) {
	br := bufio.NewReaderSize(&pc.src, p.readBuf)
	taken := func() int64 { return pc.src.n - int64(br.Buffered()) } // bytes the parser took
	for {
		// Wait for bytes before taking a call: an idle connection that
		// the server closes fails no request.
		if _, err := br.Peek(1); err != nil {
			p.teardown(pc, pc.why(err))
			return
		}
		c := p.oldest(pc)
		if c == nil {
			p.s.stray()
			p.teardown(pc, errUnsolicited)
			return
		}
		c.resp.SkipBody = c.head
		start := taken()
		err := pc.crlf(br)
		if err == nil {
			err = c.resp.Read(br)
		}
		c.size = uint64(taken() - start)
		if err != nil {
			err = pc.why(err)
			p.teardown(pc, err)
			c.done <- err
			return
		}
		p.s.markAnswered() // before a teardown: the end of an answered connection
		if c.resp.ConnectionClose() {
			// The server processes no request after this one: those
			// written after it go again on the next connection.
			p.teardown(pc, errResend)
			c.done <- nil
			return
		}
		c.done <- nil
	}
}

// oldest returns the oldest request waiting on pc, nil when none is: the
// bytes read answer no request. A response can arrive before its writer
// queued the request, so an empty queue is checked again under the lock
// that the writer holds until it has queued it.
func (p *pipeline) oldest(pc *pipeConn) *pipeCall {
	select {
	case c := <-pc.pending:
		return c
	default:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case c := <-pc.pending:
		return c
	default:
		return nil
	}
}

// teardown closes pc, detaches it from the pipeline and hands err to every
// request still waiting on it. Under p.mu, so that no request is queued on
// pc after it and no new connection opens before pc is closed.
func (p *pipeline) teardown(pc *pipeConn, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == pc {
		p.cur = nil
	}
	_ = pc.tcp.Close() // the connection is done with; its close error tells nothing
	for len(pc.pending) > 0 {
		c := <-pc.pending
		c.done <- c.outcome(err)
	}
}

// outcome is what a request still waiting when its connection ended with
// err gets: errResend when a Connection: close response came before it,
// else the error of its own write if that failed, else err. A write that
// failed with net.ErrClosed found the connection closed by the pipeline
// itself (fail: a timeout, a release, the stop), whose cause err then is:
// the requests behind a timed-out one time out with it.
func (c *pipeCall) outcome(err error) error {
	if c.writeErr != nil && !errors.Is(err, errResend) && !errors.Is(c.writeErr, net.ErrClosed) {
		return c.writeErr
	}
	return err
}

// close closes the open connection, if any; its requests fail. The slot
// calls it with no request in flight, to release the connection.
func (p *pipeline) close() {
	p.mu.Lock()
	pc := p.cur
	p.mu.Unlock()
	if pc != nil {
		pc.fail(net.ErrClosed)
	}
}

// fail closes pc because of cause, which its waiting requests get instead
// of the read error that the closing causes.
func (pc *pipeConn) fail(cause error) {
	pc.cause.CompareAndSwap(nil, &cause)
	_ = pc.tcp.Close() // closed on purpose; its close error tells nothing
}

// why returns the reason pc was closed on purpose, or err.
func (pc *pipeConn) why(err error) error {
	if c := pc.cause.Load(); c != nil {
		return *c
	}
	return err
}
