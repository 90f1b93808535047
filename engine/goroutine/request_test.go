package goroutine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
)

// captureServer listens on 127.0.0.1 and records the bytes of every
// request it reads (its header and its Content-Length body), answering
// each with an empty 200.
type captureServer struct {
	ln   net.Listener
	mu   sync.Mutex
	reqs [][]byte
}

func startCapture(t *testing.T) *captureServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cs := &captureServer{ln: ln}
	var conns sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		conns.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { cs.serve(c) })
		}
	}()
	return cs
}

// serve reads requests on c until it fails or stays idle for 2 s.
func (cs *captureServer) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		var req []byte
		bodyLen := 0
		for {
			line, err := br.ReadBytes('\n')
			if err != nil {
				return
			}
			req = append(req, line...)
			name, value, ok := strings.Cut(strings.TrimRight(string(line), "\r\n"), ":")
			if ok && strings.EqualFold(name, "Content-Length") {
				bodyLen, _ = strconv.Atoi(strings.TrimSpace(value))
			}
			if string(line) == "\r\n" {
				break
			}
		}
		body := make([]byte, bodyLen)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		cs.mu.Lock()
		cs.reqs = append(cs.reqs, append(req, body...))
		cs.mu.Unlock()
		if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")); err != nil {
			return
		}
	}
}

func (cs *captureServer) requests() [][]byte {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.reqs
}

// TestRequestBytesAsPlanned checks that goroutine mode writes what the
// user asked for, byte for byte as the plan encodes it (and async and
// sync modes write it): the user's Host header instead of the URL's, the
// headers in their order with their case, and no header the user did not
// ask for (no default Content-Type), with and without pipelining.
func TestRequestBytesAsPlanned(t *testing.T) {
	type header = wire.Header
	cases := []struct {
		name    string
		method  string
		uri     string
		headers []header
		body    string
	}{
		{"post_host_body", "POST", "/", []header{{Name: "Host", Value: "Example.test:8080"}}, "abc"},
		{"get_headers_case_order", "GET", "/a/b?x=1&y=%20", []header{
			{Name: "x-lower", Value: "1"}, {Name: "X-Upper", Value: "2"}, {Name: "accept", Value: "*/*"}}, ""},
		{"put_user_agent_content_type", "PUT", "/items/7", []header{
			{Name: "User-Agent", Value: "me/1.0"}, {Name: "Content-Type", Value: "application/json"},
			{Name: "Host", Value: "api.test"}}, `{"a":1}`},
		{"post_empty", "POST", "/login", nil, ""},
		{"head", "HEAD", "/", nil, ""},
		{"delete_empty", "DELETE", "/x", nil, ""},
		{"patch_user_length", "PATCH", "/x", []header{{Name: "content-length", Value: "2"}}, "hi"},
	}
	for _, depth := range []int{1, 2} {
		for _, c := range cases {
			t.Run(c.name+"/pipeline"+strconv.Itoa(depth), func(t *testing.T) {
				cs := startCapture(t)
				p := enginetest.Plan(cs.ln.Addr().String())
				r := &p.Requests[0]
				r.Method, r.URI, r.Body = c.method, c.uri, []byte(c.body)
				r.Headers = nil
				for _, h := range c.headers {
					r.Headers = append(r.Headers, engine.Header{Name: h.Name, Value: h.Value})
				}
				r.Raw = wire.EncodeRequest(c.method, c.uri, r.Host, c.headers, []byte(c.body))
				p.Connections, p.MaxRequests, p.Pipeline = 1, 3, depth
				res := execute(t, p)
				got := cs.requests()
				if res.Responses != 3 || len(got) != 3 {
					t.Fatalf("responses %d, requests captured %d, errors %v; want 3", res.Responses, len(got), res.Errors)
				}
				want := r.Raw
				if depth == 1 && c.method == "DELETE" && c.body == "" {
					// The one difference fasthttp's HostClient cannot be
					// told to leave out: it frames every request but a GET
					// or HEAD with a Content-Length, 0 when it has no body.
					want = bytes.Replace(want, []byte("\r\n\r\n"), []byte("\r\nContent-Length: 0\r\n\r\n"), 1)
				}
				for i, b := range got {
					if !bytes.Equal(b, want) {
						t.Fatalf("request %d on the wire:\n%q\nwant, as planned (and as async mode sends it):\n%q", i, b, want)
					}
				}
			})
		}
	}
}
