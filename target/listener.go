package target

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// listener is the net.Listener fasthttp serves on. It can stop listening
// (close the socket: dials are refused) and listen again on the same
// address, while fasthttp's Serve keeps blocking in Accept throughout.
type listener struct {
	addr     net.Addr
	accepted atomic.Uint64

	mu       sync.Mutex
	ln       net.Listener   // nil while refusing or closed
	inAccept sync.WaitGroup // Accept calls on ln in progress
	ready    chan struct{}  // closed when listening again after a refusal
	closed   bool
	done     chan struct{} // closed by Close
}

func newListener(ln net.Listener) *listener {
	return &listener{addr: ln.Addr(), ln: ln, ready: make(chan struct{}), done: make(chan struct{})}
}

// Accept waits for the next connection, across refusals.
func (l *listener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		ln, ready, closed := l.ln, l.ready, l.closed
		if ln != nil {
			l.inAccept.Add(1)
		}
		l.mu.Unlock()
		if closed {
			return nil, net.ErrClosed
		}
		if ln == nil {
			select {
			case <-ready:
			case <-l.done:
			}
			continue
		}
		c, err := ln.Accept()
		l.inAccept.Done()
		if err == nil {
			l.accepted.Add(1)
			return c, nil
		}
		// A refusal or Close closed ln under us: the loop finds out which.
		if !errors.Is(err, net.ErrClosed) {
			return nil, err
		}
	}
}

// refuse stops listening until resume. When it returns, dials are
// refused. Why the wait: Go closes the socket only when the last
// operation on it ends, so a blocked Accept holds it open until it has
// woken up and returned.
func (l *listener) refuse() error {
	l.mu.Lock()
	ln := l.ln
	l.ln = nil
	if ln != nil {
		l.ready = make(chan struct{})
	}
	l.mu.Unlock()
	if ln == nil {
		return nil
	}
	err := ln.Close()
	l.inAccept.Wait() // no Add can follow: ln is nil under mu
	return err
}

// resume listens again on the same address.
func (l *listener) resume() error {
	ln, err := net.Listen("tcp", l.addr.String())
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.ln != nil {
		return ln.Close()
	}
	l.ln = ln
	close(l.ready)
	return nil
}

// Close stops listening for good and wakes Accept.
func (l *listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	ln := l.ln
	l.ln = nil
	close(l.done)
	l.mu.Unlock()
	if ln == nil {
		return nil
	}
	return ln.Close()
}

// Addr returns the address listened on, the same across refusals.
func (l *listener) Addr() net.Addr { return l.addr }

// windowLeft returns how much of a window is left at elapsed since start,
// for windows that open every `every` and last `length`, the first at
// `every` (so the server first runs normally for one period):
//
//	|---- every ----|len|-- ... --|len|-- ...
//	0             every         2*every
//
// It returns 0 outside the windows.
func windowLeft(elapsed, every, length time.Duration) time.Duration {
	if every <= 0 || length <= 0 || elapsed < every {
		return 0
	}
	if into := elapsed % every; into < length {
		return length - into
	}
	return 0
}

// refuseLoop closes and reopens the listener on the Refuse schedule,
// against absolute times from start, until the server closes.
func (s *Server) refuseLoop() {
	defer s.loops.Done()
	every, length := s.cfg.RefuseEvery, s.cfg.Refuse
	for k := time.Duration(1); ; k++ {
		open := s.start.Add(k * every)
		if !s.sleepUntil(open) {
			return
		}
		if err := s.ln.refuse(); err != nil {
			s.listenErrs.Add(1)
		}
		s.refusals.Add(1)
		if !s.sleepUntil(open.Add(length)) {
			return
		}
		// The port may be taken for a moment; try again until it is ours
		// or the server closes. Every failure is counted.
		for s.ln.resume() != nil {
			s.listenErrs.Add(1)
			if !s.sleepUntil(time.Now().Add(10 * time.Millisecond)) {
				return
			}
		}
	}
}

// sleepUntil waits until t and reports false if the server closed first.
func (s *Server) sleepUntil(t time.Time) bool { return sleepUntil(s.closing, t) }

// sleepUntil waits until t and reports false if closing was closed first.
func sleepUntil(closing <-chan struct{}, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		select {
		case <-closing:
			return false
		default:
			return true
		}
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-closing:
		return false
	}
}
