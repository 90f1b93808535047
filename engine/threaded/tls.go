package threaded

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// HTTPS in sync mode. crypto/tls runs over any net.Conn, so a thread wraps
// its connected blocking socket in sockConn, whose Read and Write are the
// same blocking read and write system calls the plain path makes, and
// runs the handshake there, on its own locked thread, with no goroutine
// and no netpoller:
//
//	thread ── tls.Conn ── sockConn ── read(2)/write(2) ── socket fd
//	          (records)   (counts the bytes on the wire)
//
// so what an https run costs is still a thread per connection, and the
// stopper still ends a thread blocked in a handshake or a read the way it
// ends a plain one: shutdown(2) on the fd makes the read return end of
// file (see conn.wake), and crypto/tls hands the error back at once.
//
// As in goroutine mode, the connect time runs from the connect call to
// the handshake's end, the connect timeout bounds both, a failed
// handshake is counted by engine.HandshakeKind, and the bytes in and out
// are the TLS records' (handshake included), not the HTTP bytes inside.

// sockConn is a net.Conn over a connected blocking socket that the owner
// thread alone uses. It counts the bytes it reads and writes until taken.
// Without a deadline a read or write waits as the socket's SO_RCVTIMEO and
// SO_SNDTIMEO let it, and reports their expiry as EAGAIN (a temporary
// net.Error, which crypto/tls hands back without failing the connection),
// so the request timeout works as on the plain path. With a deadline (the
// handshake's) each call sets the socket's timeout to the time left and
// fails with os.ErrDeadlineExceeded once it has passed.
type sockConn struct {
	fd              int
	remote          netip.AddrPort
	readDeadline    time.Time
	writeDeadline   time.Time
	wireIn, wireOut int // bytes read and written since taken
}

var _ net.Conn = (*sockConn)(nil)

// Read reads into b with one blocking read (again after a signal, or
// while a deadline has time left); the peer's close is io.EOF.
func (s *sockConn) Read(b []byte) (int, error) {
	for {
		if err := s.armDeadline(s.readDeadline, unix.SO_RCVTIMEO); err != nil {
			return 0, err
		}
		n, err := unix.Read(s.fd, b)
		switch {
		case err == nil && n == 0 && len(b) > 0:
			return 0, io.EOF
		case err == nil:
			s.wireIn += n
			return n, nil
		case err == unix.EINTR, err == unix.EAGAIN && !s.readDeadline.IsZero():
			continue // a signal, or the time left ran out: the deadline decides
		}
		return 0, err // never the -1 of the system call: callers add n up
	}
}

// Write writes b whole with blocking writes; it fails, with what it
// wrote, when a write fails or times out.
func (s *sockConn) Write(b []byte) (int, error) {
	total := 0
	for len(b) > 0 {
		if err := s.armDeadline(s.writeDeadline, unix.SO_SNDTIMEO); err != nil {
			return total, err
		}
		n, err := unix.Write(s.fd, b)
		switch {
		case err == nil:
			total += n
			s.wireOut += n
			b = b[n:]
		case err == unix.EINTR, err == unix.EAGAIN && !s.writeDeadline.IsZero():
			// a signal, or the time left ran out: the deadline decides
		default:
			return total, err
		}
	}
	return total, nil
}

// armDeadline sets the socket timeout opt to the time left before
// deadline, if one is set, and fails when none is left.
func (s *sockConn) armDeadline(deadline time.Time, opt int) error {
	if deadline.IsZero() {
		return nil
	}
	left := time.Until(deadline)
	if left <= 0 {
		return os.ErrDeadlineExceeded
	}
	return setTimeout(s.fd, opt, left)
}

// Close does nothing: the socket belongs to its conn, which closes it
// (closeFd) under the stopper's lock.
func (s *sockConn) Close() error { return nil }

// LocalAddr returns the socket's local address, or nil if unknown.
func (s *sockConn) LocalAddr() net.Addr {
	sa, err := unix.Getsockname(s.fd)
	if err != nil {
		return nil
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

// RemoteAddr returns the target address the socket connected to.
func (s *sockConn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(s.remote) }

// SetDeadline sets both deadlines; the zero time clears them.
func (s *sockConn) SetDeadline(t time.Time) error {
	s.readDeadline, s.writeDeadline = t, t
	return nil
}

// SetReadDeadline sets the deadline of reads; the zero time clears it.
func (s *sockConn) SetReadDeadline(t time.Time) error {
	s.readDeadline = t
	return nil
}

// SetWriteDeadline sets the deadline of writes; the zero time clears it.
func (s *sockConn) SetWriteDeadline(t time.Time) error {
	s.writeDeadline = t
	return nil
}

// takeWire returns the bytes read and written on the wire since the last
// call.
func (s *sockConn) takeWire() (in, out int) {
	in, out = s.wireIn, s.wireOut
	s.wireIn, s.wireOut = 0, 0
	return in, out
}

// handshake runs the TLS handshake on the connected socket fd to addr,
// within the time left before deadline, and on success keeps the session
// for the connection's reads and writes. On failure the caller counts it
// by engine.HandshakeKind and closes the socket; on success it sets the
// socket's request timeouts, which the handshake's deadline replaced.
func (c *conn) handshake(fd int, addr netip.AddrPort, deadline time.Time) error {
	c.sock = sockConn{fd: fd, remote: addr, readDeadline: deadline, writeDeadline: deadline}
	tc := tls.Client(&c.sock, c.r.tls)
	// Handshake, not HandshakeContext: with a context crypto/tls would
	// watch it from a goroutine and close the conn from there. The
	// deadline bounds it, and the stopper's shutdown(2) interrupts it.
	if err := tc.Handshake(); err != nil {
		var errno unix.Errno
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &errno) {
			// The socket's error, not crypto/tls's own ("tls: ..."): say
			// where it happened, or "connect ADDR: EOF" would not.
			return fmt.Errorf("tls handshake: %w", err)
		}
		return err
	}
	_ = c.sock.SetDeadline(time.Time{}) // from now on the request timeout rules
	c.tls = tc
	return nil
}

// readTLS reads decrypted bytes into b through the connection's TLS
// session. It returns them, and on success the bytes read from the wire
// since the last success (a failed read's bytes count with the next).
// It reads as read(2) does on the plain path: the server's close (a
// close_notify alert, or end of file between records) is 0 bytes and no
// error, which may end a body delimited by the close; a socket timeout
// is EAGAIN.
func (c *conn) readTLS(b []byte) (n, wire int, err error) {
	n, err = c.tls.Read(b)
	if err == io.EOF {
		// Bytes with io.EOF: a TLS 1.2 close_notify that came with the
		// last record. The bytes count; the next read is the end.
		err = nil
	}
	if err == nil {
		wire, c.sock.wireIn = c.sock.wireIn, 0
	}
	return n, wire, err
}

// writeTLS writes b whole through the connection's TLS session and
// returns the bytes of b in the records written whole (all of b but on a
// failure) and the bytes written on the wire, TLS records included.
func (c *conn) writeTLS(b []byte) (plain, wire int, err error) {
	plain, err = c.tls.Write(b)
	wire = c.sock.wireOut
	c.sock.wireOut = 0
	return plain, wire, err
}
