package target

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// acceptLoop accepts connections and serves each on its own goroutine
// with fasthttp's ServeConn, so that Close can close every connection
// and wait for every goroutine (fasthttp's own Serve keeps a worker pool
// whose cleaner outlives Shutdown by up to 10 s).
func (s *Server) acceptLoop() {
	defer s.loops.Done()
	for {
		c, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Such as EMFILE: count it, breathe, and keep accepting.
			s.acceptErrs.Add(1)
			if !s.sleepUntil(time.Now().Add(10 * time.Millisecond)) {
				return
			}
			continue
		}
		if !s.open.add(c) {
			return
		}
		go s.serveConn(c)
	}
}

// serveConn serves one connection until it closes or is hijacked by a
// raw fault (which then owns it).
//
// With TLS, c is wrapped here, per connection, rather than with
// tls.NewListener or fasthttp's ServeTLS: the handshake then runs on this
// goroutine (the accept loop never waits on a slow client), the listener
// can still stop and resume listening for refusals, and the connection
// set keeps the TCP connection, so Close shuts it at once instead of
// first writing a TLS close_notify to a client that may not read.
func (s *Server) serveConn(c net.Conn) {
	defer s.open.remove(c)
	served := c
	if s.tls != nil {
		served = tls.Server(c, s.tls.config)
	}
	if err := s.srv.ServeConn(served); err != nil {
		s.connErrs.Add(1)
	}
}

// connSet tracks live connections and the goroutines serving them, so
// Close can close the one and wait for the other.
type connSet struct {
	mu     sync.Mutex
	m      map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	n      atomic.Int64
}

// add registers c and its goroutine. It returns false, having closed c,
// when the set is closed. Why the flag: nothing is added after closeAll
// starts, so wg.Add never races wg.Wait.
func (cs *connSet) add(c net.Conn) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		c.Close()
		return false
	}
	if cs.m == nil {
		cs.m = make(map[net.Conn]struct{})
	}
	cs.m[c] = struct{}{}
	cs.wg.Add(1)
	cs.n.Add(1)
	return true
}

// remove forgets c when its goroutine is done with it.
func (cs *connSet) remove(c net.Conn) {
	cs.mu.Lock()
	delete(cs.m, c)
	cs.mu.Unlock()
	cs.n.Add(-1)
	cs.wg.Done()
}

// closeAll closes every connection in the set, refuses new ones, and
// waits for their goroutines to end.
func (cs *connSet) closeAll() {
	cs.mu.Lock()
	cs.closed = true
	for c := range cs.m {
		c.Close()
	}
	cs.mu.Unlock()
	cs.wg.Wait()
}
