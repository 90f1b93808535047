package target

import (
	"container/heap"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// delayer holds each delayed response until its due time and lets it go
// then, within tens of microseconds. Go's timers wake an idle process on
// the millisecond (the runtime waits in epoll_wait, which takes a timeout
// in milliseconds): a 2 ms delay came out as 2.5 ms at the median with 10
// connections. A timerfd, which Go's netpoller watches like a socket,
// rings on time. One goroutine reads it and releases every response due;
// the responses waiting are kept in a heap by due time, and the timerfd is
// set to the earliest.
type delayer struct {
	tfd     *os.File // the timerfd, non-blocking, in Go's netpoller
	fd      int
	closing <-chan struct{}
	base    time.Time // monoNs is baseNs plus the time since base
	baseNs  int64

	mu      sync.Mutex
	waiting waitHeap
	armedNs int64 // the due time the timerfd is set to; 0: unset
	free    []*waiter
	closed  bool // the timerfd is closed: nothing sets it again
}

// waiter is one response waiting for its due time.
type waiter struct {
	due  int64         // CLOCK_MONOTONIC, ns
	done chan struct{} // one slot: the release does not block
}

// newDelayer starts a delayer; it stops when closing is closed and close
// is called.
func newDelayer(closing <-chan struct{}) (*delayer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("cannot make the delay timer: %w", os.NewSyscallError("timerfd_create", err))
	}
	d := &delayer{tfd: os.NewFile(uintptr(fd), "timerfd"), fd: fd, closing: closing, base: time.Now()}
	// Go's monotonic clock is CLOCK_MONOTONIC, read without a system
	// call; only its origin differs. base is read first, so monoNs runs a
	// little ahead, never behind: a response is never released early.
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) // cannot fail for this clock
	d.baseNs = ts.Nano()
	go d.run()
	return d, nil
}

// monoNs reads the clock the timerfd runs on (CLOCK_MONOTONIC).
func (d *delayer) monoNs() int64 { return d.baseNs + int64(time.Since(d.base)) }

// sleep waits ns nanoseconds from now and reports false if the server
// closed first.
func (d *delayer) sleep(ns int64) bool {
	due := d.monoNs() + ns
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return false
	}
	w := d.take()
	w.due = due
	heap.Push(&d.waiting, w)
	if d.armedNs == 0 || due < d.armedNs {
		d.arm(due)
	}
	d.mu.Unlock()
	select {
	case <-w.done:
		d.mu.Lock()
		d.free = append(d.free, w)
		d.mu.Unlock()
		return true
	case <-d.closing:
		return false // w may still be released: it is not reused
	}
}

// take returns a free waiter or a new one. d.mu is held.
func (d *delayer) take() *waiter {
	if n := len(d.free); n > 0 {
		w := d.free[n-1]
		d.free = d.free[:n-1]
		return w
	}
	return &waiter{done: make(chan struct{}, 1)}
}

// arm sets the timerfd to ring at due. d.mu is held and d is not closed.
func (d *delayer) arm(due int64) {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(due)}
	if err := unix.TimerfdSettime(d.fd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
		panic(fmt.Sprintf("target: timerfd_settime: %v", err)) // only a bad fd or value fails
	}
	d.armedNs = due
}

// run releases the responses due each time the timerfd rings, until it
// is closed.
func (d *delayer) run() {
	var expirations [8]byte
	for {
		if _, err := d.tfd.Read(expirations[:]); err != nil {
			return // closed
		}
		now := d.monoNs()
		d.mu.Lock()
		for len(d.waiting) > 0 && d.waiting[0].due <= now {
			heap.Pop(&d.waiting).(*waiter).done <- struct{}{}
		}
		d.armedNs = 0
		if len(d.waiting) > 0 && !d.closed {
			d.arm(d.waiting[0].due)
		}
		d.mu.Unlock()
	}
}

// close stops the releasing goroutine. Under d.mu, so that no sleep sets
// the timerfd once it is closed (its number may be another file's by then).
func (d *delayer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	_ = d.tfd.Close()
}

// waitHeap orders waiters by due time, earliest first.
type waitHeap []*waiter

func (h waitHeap) Len() int           { return len(h) }
func (h waitHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h waitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)        { *h = append(*h, x.(*waiter)) }
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	*h = old[:len(old)-1]
	return w
}
