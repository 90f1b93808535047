package target

import (
	"bytes"
	"errors"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"
)

const (
	reqKeepAlive = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
	reqClose     = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
)

// start runs a target for one test and, at cleanup, closes it and checks
// that its goroutines ended and no connection is left open.
func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	before := runtime.NumGoroutine()
	s, err := Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if n := s.OpenConns(); n != 0 {
			t.Errorf("%d connections open after Close", n)
		}
		waitGoroutines(t, before)
	})
	return s
}

// waitGoroutines fails the test unless the goroutine count drops back to
// before within a second (a closing goroutine may take a moment to end).
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d after Close, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dial connects to the target with a deadline on every operation.
func dial(t *testing.T, s *Server, d time.Duration) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
	return c
}

// readResponse reads one response: the head up to the blank line, then as
// many body bytes as Content-Length says, or until an error or EOF. It
// returns all bytes read, the head's length (0 if incomplete) and the
// error that stopped it early (nil when the response is complete).
func readResponse(c net.Conn) (data []byte, headLen int, err error) {
	buf := make([]byte, 4096)
	want := -1
	for {
		if headLen == 0 {
			if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
				headLen = i + 4
				want = headLen + contentLength(data[:headLen])
			}
		}
		if want >= 0 && len(data) >= want {
			return data, headLen, nil
		}
		n, rerr := c.Read(buf)
		data = append(data, buf[:n]...)
		if rerr != nil {
			return data, headLen, rerr
		}
	}
}

// contentLength returns the Content-Length of a head, or 0.
func contentLength(head []byte) int {
	const key = "\r\nContent-Length: "
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return 0
	}
	rest := head[i+len(key):]
	n, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '\r')]))
	if err != nil {
		return 0
	}
	return n
}

// statusOf returns the status code of a head, or 0 if it is not HTTP.
func statusOf(head []byte) int {
	if len(head) < 12 || !bytes.HasPrefix(head, []byte("HTTP/1.1 ")) {
		return 0
	}
	n, err := strconv.Atoi(string(head[9:12]))
	if err != nil {
		return 0
	}
	return n
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
