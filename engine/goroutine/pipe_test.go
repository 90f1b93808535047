package goroutine

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/nowait/nowait/stats"
)

// TestRequestsBehindATimeoutTimeOut: a late response fails its pipelined
// connection with a timeout, closing it; a worker that writes its request
// on that connection before the reader tears it down sees its write fail
// with net.ErrClosed, of the pipeline's own doing. Every request on the
// connection, that one too, must get the timeout, as in async mode, not a
// read error.
func TestRequestsBehindATimeoutTimeOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	p := &pipeline{}
	pc := &pipeConn{nc: nc, tcp: nc, pending: make(chan *pipeCall, 2)}
	p.cur = pc
	newCall := func() *pipeCall { return &pipeCall{resp: &fasthttp.Response{}, done: make(chan error, 1)} }
	timedOut, behind := newCall(), newCall()
	pc.pending <- timedOut

	pc.fail(fasthttp.ErrTimeout) // the timed-out request's worker
	_, behind.writeErr = nc.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	if behind.writeErr == nil {
		t.Fatal("a write on the closed connection succeeded")
	}
	pc.pending <- behind
	_, readErr := nc.Read(make([]byte, 1)) // what the reader sees
	p.teardown(pc, pc.why(readErr))

	for name, c := range map[string]*pipeCall{"timed out": timedOut, "behind it": behind} {
		if got := requestKind(<-c.done); got != stats.ErrTimeout {
			t.Errorf("the request %s counts as %v, want a timeout", name, got)
		}
	}
}
