package reactor

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// wakeTag marks the eventfd's epoll event; connection events carry their
// slot (>= 0) in the same field.
const wakeTag = -1

// connEvents is the one registration of every connection's fd, made once
// after connect and never changed: edge-triggered, so no epoll_ctl is ever
// needed per request.
const connEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// poller is one loop's epoll fd and its wake-up eventfd.
type poller struct {
	epfd   int
	wakefd int
	ev     unix.EpollEvent // scratch for epoll_ctl, so the call does not allocate
}

// newPoller creates an epoll fd and an eventfd registered in it.
func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("epoll_create1", err))
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("eventfd", err))
	}
	p := &poller{epfd: epfd, wakefd: wakefd}
	p.ev = unix.EpollEvent{Events: unix.EPOLLIN, Fd: wakeTag}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &p.ev); err != nil {
		p.close()
		return nil, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("epoll_ctl", err))
	}
	return p, nil
}

// add registers a connection's fd once, tagged with its slot and
// generation so that events of an fd closed earlier in the same batch are
// recognised as stale.
func (p *poller) add(fd, slot int, gen int32) error {
	p.ev = unix.EpollEvent{Events: connEvents, Fd: int32(slot), Pad: gen}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &p.ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// wait returns the events ready, waiting up to ms milliseconds when none
// is: a non-blocking look first, and the blocking wait only when it found
// nothing.
func (p *poller) wait(events []unix.EpollEvent, ms int) (int, error) {
	if n, err := p.poll(events); n > 0 || err != nil || ms == 0 {
		return n, err
	}
	for {
		n, err := unix.EpollWait(p.epfd, events, ms)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("epoll_wait", err))
		}
		return n, nil
	}
}

// wake makes the loop's epoll_wait return. Safe from any goroutine while
// the poller is open.
func (p *poller) wake() error {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	if _, err := unix.Write(p.wakefd, one[:]); err != nil && err != unix.EAGAIN {
		return os.NewSyscallError("write eventfd", err)
	}
	return nil
}

// drain resets the eventfd so it no longer reads as ready.
func (p *poller) drain() {
	var b [8]byte
	_, _ = unix.Read(p.wakefd, b[:]) // EAGAIN means already drained; nothing else can fail
}

// close closes the epoll fd and the eventfd.
func (p *poller) close() {
	_ = unix.Close(p.epfd) // close of an fd we own: the fd is gone whatever it returns
	_ = unix.Close(p.wakefd)
}

// The hot path's system calls. read and write on a non-blocking socket and
// epoll_wait with a zero timeout never block, so they go through
// RawSyscall: the Go runtime is not told that the thread entered a system
// call, and its monitor thread then has no P to take back and hand over.
// Told (syscall.Syscall), a loop spending most of its time in the kernel
// kept the monitor waking every 20 µs and the thread switching context
// about once every three requests. Only a wait that may block goes
// through the runtime (poller.wait).

// readFd reads from a non-blocking fd.
func readFd(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// writeFd writes to a non-blocking fd.
func writeFd(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// poll returns the events ready now, without blocking.
func (p *poller) poll(events []unix.EpollEvent) (int, error) {
	for {
		r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("epoll_pwait", e))
		}
		return int(r), nil
	}
}

// errnoErr returns e as an error; the common ones are compared by value.
func errnoErr(e unix.Errno) error {
	switch e {
	case unix.EAGAIN:
		return unix.EAGAIN
	case unix.EINTR:
		return unix.EINTR
	}
	return e
}
