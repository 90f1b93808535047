package engine

import (
	"errors"
	"syscall"

	"github.com/nowait/nowait/stats"
)

// ConnectKind classifies a failed connect by its errno: refused, timed
// out, no local address or port left, out of file descriptors; any other
// failure is a plain connect error. Each mode checks the causes only it
// can see (a failed bind, a dial deadline) before asking here.
func ConnectKind(err error) stats.ErrorKind {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return stats.ErrConnectRefused
	case errors.Is(err, syscall.ETIMEDOUT):
		return stats.ErrConnectTimeout
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return stats.ErrAddrNotAvail
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return stats.ErrTooManyFiles
	}
	return stats.ErrConnect
}

// IsReset reports whether err says the peer reset or abandoned the
// connection: a reset, a broken pipe, an aborted connection.
func IsReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// IOKind classifies a failed read, or write when write is set, on an open
// connection: a reset (IsReset), or else a read or write error.
func IOKind(err error, write bool) stats.ErrorKind {
	switch {
	case IsReset(err):
		return stats.ErrReset
	case write:
		return stats.ErrWrite
	}
	return stats.ErrRead
}
