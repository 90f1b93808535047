package goroutine

import (
	"bytes"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
)

// rawRecorder listens on 127.0.0.1, keeps every byte it reads, and
// answers an empty 200 for every blank line that ends a request head,
// whatever the framing the request declares.
type rawRecorder struct {
	ln  net.Listener
	mu  sync.Mutex
	got []byte
}

func startRawRecorder(t *testing.T) *rawRecorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rr := &rawRecorder{ln: ln}
	var conns sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		conns.Wait()
	})
	go func() { // owned by the test: ends when the listener closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { rr.serve(c) })
		}
	}()
	return rr
}

// serve records c's bytes until the client closes it.
func (rr *rawRecorder) serve(c net.Conn) {
	defer c.Close()
	var mine []byte
	answered := 0
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		mine = append(mine, buf[:n]...)
		rr.mu.Lock()
		rr.got = append(rr.got, buf[:n]...)
		rr.mu.Unlock()
		for ; answered < bytes.Count(mine, []byte("\r\n\r\n")); answered++ {
			if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")); err != nil {
				return
			}
		}
	}
}

func (rr *rawRecorder) bytes() []byte {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return bytes.Clone(rr.got)
}

// TestFramingHeadersSentAsGiven: a user's own Content-Length and
// Transfer-Encoding headers go on the wire as given, as the other modes
// send them, also without pipelining, where fasthttp's HostClient would
// refuse them (writing nothing, and the refusal would count as a bad
// response) or rewrite the length to the body's.
func TestFramingHeadersSentAsGiven(t *testing.T) {
	type header = wire.Header
	cases := []struct {
		name    string
		method  string
		headers []header
		body    string
	}{
		{"transfer_encoding_chunked", "GET", []header{{Name: "Transfer-Encoding", Value: "chunked"}}, ""},
		{"content_length_twice", "GET", []header{{Name: "Content-Length", Value: "0"}, {Name: "Content-Length", Value: "0"}}, ""},
		{"content_length_short", "POST", []header{{Name: "Content-Length", Value: "1"}}, "ab"},
	}
	for _, depth := range []int{1, 2} {
		for _, c := range cases {
			t.Run(c.name+"/pipeline"+strconv.Itoa(depth), func(t *testing.T) {
				rr := startRawRecorder(t)
				p := enginetest.Plan(rr.ln.Addr().String())
				r := &p.Requests[0]
				r.Method, r.Body = c.method, []byte(c.body)
				r.Headers = nil
				for _, h := range c.headers {
					r.Headers = append(r.Headers, engine.Header{Name: h.Name, Value: h.Value})
				}
				r.Raw = wire.EncodeRequest(c.method, "/", r.Host, c.headers, r.Body)
				p.Connections, p.MaxRequests, p.Pipeline = 1, 3, depth
				res := execute(t, p)
				if res.Responses != 3 || res.ErrorTotal() != 0 {
					t.Errorf("responses %d, errors %v; want 3 and none", res.Responses, res.Errors)
				}
				if got, want := rr.bytes(), bytes.Repeat(r.Raw, 3); !bytes.Equal(got, want) {
					t.Errorf("on the wire:\n%q\nwant the planned request three times:\n%q", got, want)
				}
			})
		}
	}
}
