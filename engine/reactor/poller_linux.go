package reactor

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
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
	ts     unix.Timespec   // scratch for epoll_pwait2's timeout
	coarse bool            // no epoll_pwait2 (Linux < 5.11): millisecond timeouts
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

// wait returns the events ready, waiting up to ns nanoseconds when none
// is: epoll_pwait2 takes the timeout to the nanosecond, so an open-model
// request due in 100 µs is not sent a millisecond late; without it (Linux
// before 5.11) the wait rounds up to a millisecond. An interrupted wait
// returns no event rather than waiting again: the runtime preempts a
// goroutine that runs (as a raw call looks to it) for 10 ms with a
// signal, so a restarted wait of more than 10 ms would never end, and the
// loop's deadlines (the end of the run, backoffs, timers) would be missed.
// The loop recomputes the time left.
func (p *poller) wait(events []unix.EpollEvent, ns int64) (int, error) {
	ns = max(ns, 0)
	var n int
	var err error
	if !p.coarse {
		p.ts = unix.NsecToTimespec(ns)
		if n, err = epollWait2(p.epfd, events, &p.ts); err == unix.ENOSYS {
			p.coarse = true
		}
	}
	if p.coarse {
		n, err = epollWait(p.epfd, events, int((ns+999_999)/1_000_000))
	}
	if err == unix.EINTR {
		// The raw call was not a safe point: give the scheduler one, so
		// that a GC can stop the loop.
		runtime.Gosched()
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrPoller, os.NewSyscallError("epoll_wait", err))
	}
	return n, nil
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

// The hot path's system calls, epoll_wait included, are raw: they skip the
// runtime's entersyscall/exitsyscall. Through the runtime, each epoll_wait
// that blocked for more than 20 µs let sysmon retake the loop's P and kept
// sysmon polling every 20 µs on the loop's core: 0.25-0.42 context switches
// per request against wrk's 0.05-0.09 (perf stat, c=100, one core).
// Raw, it was 0.08-0.10, and requests per CPU-second rose by a fifth. The
// cost: a loop blocked in epoll_wait holds its P, so Run gives the process
// one P more than it has loops (GOMAXPROCS), for everything else to run
// on, and an interrupted wait yields so a GC can stop the loop.

// readFd reads from a non-blocking socket. recvfrom, not read: it goes
// straight to the socket without the file layer's work.
func readFd(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// writeFd writes to a non-blocking socket, with sendto for the same
// reason; MSG_NOSIGNAL turns a write to a reset connection into EPIPE
// without a SIGPIPE.
func writeFd(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), unix.MSG_NOSIGNAL, 0, 0)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// epollWait is epoll_wait as a raw system call (epoll_pwait with no
// signal mask, which every architecture has).
func epollWait(epfd int, events []unix.EpollEvent, ms int) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), uintptr(ms), 0, 0)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// epollWait2 is epoll_pwait2 as a raw system call: a timespec timeout,
// no signal mask.
func epollWait2(epfd int, events []unix.EpollEvent, ts *unix.Timespec) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), uintptr(unsafe.Pointer(ts)), 0, 0)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(r), nil
}

// errnoErr returns e as an error; the common ones are compared by value.
func errnoErr(e unix.Errno) error {
	switch e {
	case unix.EAGAIN:
		return unix.EAGAIN
	case unix.EINTR:
		return unix.EINTR
	case unix.ENOSYS:
		return unix.ENOSYS
	}
	return e
}
