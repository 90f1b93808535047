package reactor

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// soError returns the socket's pending error (SO_ERROR).
func soError(fd int) unix.Errno {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		if e, ok := err.(unix.Errno); ok {
			return e
		}
		return unix.EIO
	}
	return unix.Errno(v)
}

// parseKind classifies a parser error.
func parseKind(err error) stats.ErrorKind {
	if errors.Is(err, wire.ErrHeaderTooLarge) {
		return stats.ErrHeaderTooLarge
	}
	return stats.ErrBadResponse
}
