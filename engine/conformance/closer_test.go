package conformance

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// closeRule says which connections a closer closes, when and how.
type closeRule struct {
	first     int64         // it closes the first connections it accepts, this many
	idle      time.Duration // it closes so long after the accept, or after the first response
	answer    bool          // it answers requests, and closes a closing one after its first response
	connClose bool          // that response says Connection: close
	reset     bool          // it closes with a reset (SO_LINGER 0) instead of a FIN
}

// closer is a loopback server that closes the first connections it
// accepts on its own, counts those closes, and keeps the rest: idle (it
// reads until the client closes), or answering every request.
type closer struct {
	closeRule
	accepted, closed, served atomic.Int64
}

// ok is the keep-alive response; okClose says the server closes after it.
const (
	ok      = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	okClose = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
)

// serve serves one accepted connection.
func (s *closer) serve(c net.Conn) {
	defer c.Close() // a kept one once the client has closed it
	closing := s.accepted.Add(1) <= s.first
	if tc, isTLS := c.(*tls.Conn); isTLS && tc.Handshake() != nil {
		return
	}
	if !s.answer {
		if closing {
			time.Sleep(s.idle)
			s.close(c)
			return
		}
		_, _ = c.Read(make([]byte, 1)) // until the client closes: nothing is asked
		return
	}
	br := bufio.NewReader(c)
	for {
		if !readRequest(br) {
			return
		}
		resp := ok
		if closing && s.connClose {
			resp = okClose
		}
		if _, err := c.Write([]byte(resp)); err != nil {
			return
		}
		s.served.Add(1)
		if closing {
			time.Sleep(s.idle)
			s.close(c)
			return
		}
	}
}

// close closes c with a FIN (TLS: close_notify, then FIN) or a reset, and
// counts it.
func (s *closer) close(c net.Conn) {
	if s.reset {
		_ = c.(*net.TCPConn).SetLinger(0) // then Close resets
	}
	_ = c.Close() // closed by us: counted whatever close returns
	s.closed.Add(1)
}

// readRequest reads one request without a body (up to its blank line),
// and reports false when the connection ended first.
func readRequest(br *bufio.Reader) bool {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if strings.TrimRight(line, "\r\n") == "" {
			return true
		}
	}
}
