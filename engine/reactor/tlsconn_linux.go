package reactor

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// tlsConn is the TLS side of one https connection slot: the slot's
// tls.Conn and the net.Conn under it, which is the slot's non-blocking
// socket. It is reused across the slot's connections (a fresh tls.Conn
// for each) and lives in two modes:
//
//   - handshaking (ctx set): a goroutine runs the handshake over it,
//     computing only while it holds one of the run's tokens (cpu). A
//     read or write that would block gives the token back and parks the
//     goroutine until the loop signals an epoll event of the socket on
//     ready, or ctx ends (the connect timeout, or the loop stopping). No
//     OS thread waits.
//   - reactor (ctx nil): the loop drives it. A read that would block
//     returns errWouldBlock at once, which crypto/tls passes up without
//     keeping (a Temporary net.Error), its partial record buffered. A
//     write never fails for a full socket: crypto/tls would make that
//     failure permanent, so the ciphertext the socket did not take waits
//     in pend, which the loop flushes on EPOLLOUT as any other batch.
//
// The loop owns the socket: it never touches or closes it while a
// handshake runs, and waits for the handshake's goroutine to end before
// it closes the socket at the end of the run.
type tlsConn struct {
	fd     int
	remote net.Addr
	tc     *tls.Conn     // this connection's; a new one per connection
	ready  chan struct{} // capacity 1: an epoll event came while handshaking
	ctx    context.Context
	cpu    *handshakeCPU // the run's handshake tokens (see tlsLoop.cpu)
	busy   bool          // the handshake holds a token

	pend    []byte // reactor mode: ciphertext written to it, not yet to the socket
	plain   []byte // reactor mode: the batch's plaintext not sealed yet (sealMore)
	drained bool   // reactor mode: the socket read short or empty since the last EPOLLIN
	in, out int    // bytes read and written on the socket since the loop collected them

	// The handshake's outcome, for the loop: read after the handoff.
	err     error
	doneNs  int64
	resumed bool // the handshake resumed a session
}

var _ net.Conn = (*tlsConn)(nil)

// wouldBlock is errWouldBlock's type: a net.Error both temporary and a
// timeout, so crypto/tls returns it without making it the connection's
// error, and without an allocation.
type wouldBlock struct{}

func (wouldBlock) Error() string   { return "reactor: the socket has no more for now" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

// errWouldBlock is what tlsConn.Read returns in reactor mode when the
// socket is empty: EAGAIN, for crypto/tls.
var errWouldBlock error = wouldBlock{}

// Read reads ciphertext from the socket.
func (t *tlsConn) Read(p []byte) (int, error) {
	if err := t.ended(); err != nil {
		return 0, err
	}
	for {
		if t.ctx == nil && t.drained {
			// The last read found the socket empty and no EPOLLIN came
			// since: with edge triggering, the next bytes raise one.
			return 0, errWouldBlock
		}
		n, err := readFd(t.fd, p)
		switch {
		case err == nil && n > 0:
			t.in += n
			t.drained = n < len(p)
			return n, nil
		case err == nil:
			return 0, io.EOF
		case err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			return 0, err
		}
		if t.ctx == nil {
			t.drained = true
			return 0, errWouldBlock
		}
		if err := t.await(); err != nil {
			return 0, err
		}
	}
}

// Write writes ciphertext to the socket: all of it, waiting, while
// handshaking; in reactor mode what the socket takes, the rest to pend.
func (t *tlsConn) Write(p []byte) (int, error) {
	if err := t.ended(); err != nil {
		return 0, err
	}
	if t.ctx == nil && len(t.pend) > 0 {
		t.pend = append(t.pend, p...) // earlier bytes wait: keep the order
		return len(p), nil
	}
	done := 0
	for done < len(p) {
		n, err := writeFd(t.fd, p[done:])
		done += n
		t.out += n
		switch {
		case err == nil, err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			return done, err
		case t.ctx == nil:
			t.pend = append(t.pend, p[done:]...)
			return len(p), nil
		}
		if err := t.await(); err != nil {
			return done, err
		}
	}
	return len(p), nil
}

// ended returns the error of a handshake whose context ended, so that a
// handshake the loop gave up on stops at its next read or write, before
// the cryptography the bytes read would take.
func (t *tlsConn) ended() error {
	if t.ctx == nil {
		return nil
	}
	return t.ctx.Err()
}

// await parks the handshake until the loop signals an event of the
// socket or the handshake's context ends, giving its token back
// meanwhile.
func (t *tlsConn) await() error {
	t.idle()
	select {
	case <-t.ready:
		return t.work(true)
	case <-t.ctx.Done():
		return t.ctx.Err()
	}
}

// work takes a token for the handshake to compute with, waiting for one
// if none is free, unless the handshake's context ends first; underway
// says the handshake has started (see handshakeCPU).
func (t *tlsConn) work(underway bool) error {
	if err := t.cpu.acquire(t.ctx, underway); err != nil {
		return err
	}
	t.busy = true
	return nil
}

// idle gives the handshake's token back, if it holds one.
func (t *tlsConn) idle() {
	if t.busy {
		t.cpu.release()
		t.busy = false
	}
}

// signal tells a waiting handshake that an epoll event of its socket came
// (a token already waiting is enough).
func (t *tlsConn) signal() {
	select {
	case t.ready <- struct{}{}:
	default:
	}
}

// Close does nothing: the loop owns and closes the socket. crypto/tls
// calls it when a handshake's context ends, from another goroutine, to
// end a blocked read; the waits watch the context themselves.
func (t *tlsConn) Close() error { return nil }

// LocalAddr is not known to the reactor, which never asks.
func (t *tlsConn) LocalAddr() net.Addr { return nil }

// RemoteAddr returns the address connected to.
func (t *tlsConn) RemoteAddr() net.Addr { return t.remote }

// SetDeadline does nothing: the handshake's context bounds it.
func (t *tlsConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing, as SetDeadline.
func (t *tlsConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing, as SetDeadline.
func (t *tlsConn) SetWriteDeadline(time.Time) error { return nil }

// maxPendKept is the most ciphertext buffer a connection keeps once it is
// written: a batch of large request bodies (megabytes) waits in a buffer
// of its size, which is let go rather than held by an idle connection.
const maxPendKept = 256 << 10

// clearPend empties pend, which the socket has taken all of.
func (t *tlsConn) clearPend() {
	if cap(t.pend) > maxPendKept {
		t.pend = nil
		return
	}
	t.pend = t.pend[:0]
}

// settle drops the ciphertext c has finished writing from pend, before
// the loop calls crypto/tls (whose reads may write too): pend then holds
// only what is still to go, and c.wbuf is pend from its start.
func (t *tlsConn) settle(c *conn) {
	if !c.writing() {
		t.clearPend()
		c.wbuf, c.woff = nil, 0
	}
}

// expose makes what crypto/tls left in pend c's pending write, after the
// call: c.woff still counts the bytes of pend already written (append
// keeps them at the front).
func (t *tlsConn) expose(c *conn) {
	if len(t.pend) > 0 {
		c.wbuf = t.pend
	}
}
