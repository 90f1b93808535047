package reactor

import (
	"encoding/binary"
	"fmt"
	"os"

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

// wait waits up to ms milliseconds for events.
func (p *poller) wait(events []unix.EpollEvent, ms int) (int, error) {
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
