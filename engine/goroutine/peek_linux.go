package goroutine

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// peekFd reports whether something waits to be read on the socket fd:
// bytes, the peer's FIN or a reset. It neither reads nor waits: one
// recvfrom(MSG_PEEK|MSG_DONTWAIT) into b, which leaves what it saw
// unread. A raw system call, as the reactor's reads: unix.Recvfrom
// allocates its address buffer, which a connected socket never fills.
func peekFd(fd int, b []byte) bool {
	for {
		_, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)),
			unix.MSG_PEEK|unix.MSG_DONTWAIT, 0, 0)
		if e != unix.EINTR {
			return e != unix.EAGAIN
		}
	}
}
