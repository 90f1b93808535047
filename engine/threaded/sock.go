package threaded

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// sockaddr returns the socket address and family of ap.
func sockaddr(ap netip.AddrPort) (unix.Sockaddr, int) {
	a := ap.Addr().Unmap()
	if a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, unix.AF_INET
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}, unix.AF_INET6
}

// newSocket returns a blocking TCP socket with TCP_NODELAY set, bound to
// src when src is valid.
func newSocket(family int, src netip.Addr) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		_ = unix.Close(fd) // the socket is unusable; the setsockopt error is the one to report
		return -1, err
	}
	if src.IsValid() {
		sa, _ := sockaddr(netip.AddrPortFrom(src, 0))
		if err := unix.Bind(fd, sa); err != nil {
			_ = unix.Close(fd) // as above
			return -1, fmt.Errorf("%w %s: %w", ErrBind, src, err)
		}
	}
	return fd, nil
}

// setTimeout sets SO_SNDTIMEO or SO_RCVTIMEO (opt) to d, at least 1 µs:
// a zero timeout would mean "block forever".
func setTimeout(fd, opt int, d time.Duration) error {
	tv := unix.NsecToTimeval(max(int64(d), int64(time.Microsecond)))
	return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, &tv)
}

// connect connects the blocking socket fd to sa within timeout. A blocking
// connect on Linux waits for SO_SNDTIMEO and then fails with EINPROGRESS
// (EALREADY when retried); it is not restarted after a signal (EINTR), and
// calling it again waits on the same attempt, so it is retried with the
// time left.
func connect(fd int, sa unix.Sockaddr, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return unix.ETIMEDOUT
		}
		if err := setTimeout(fd, unix.SO_SNDTIMEO, left); err != nil {
			return err
		}
		err := unix.Connect(fd, sa)
		switch {
		case err == nil, errors.Is(err, unix.EISCONN):
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EINPROGRESS), errors.Is(err, unix.EALREADY):
			if time.Until(deadline) > 0 {
				continue // woken early by a signal
			}
			return unix.ETIMEDOUT
		}
		return err
	}
}

// connectKind classifies a failure to open a connection.
func connectKind(err error) stats.ErrorKind {
	if errors.Is(err, ErrBind) {
		return stats.ErrAddrNotAvail // the source address cannot be used, whatever the errno
	}
	return engine.ConnectKind(err)
}

// ioKind classifies a failed read or write on an open connection; a
// socket timeout (SO_RCVTIMEO, SO_SNDTIMEO) is a timeout.
func ioKind(err error, write bool) stats.ErrorKind {
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.ETIMEDOUT) {
		return stats.ErrTimeout
	}
	return engine.IOKind(err, write)
}
