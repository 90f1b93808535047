package reactor

import (
	"strings"
	"testing"

	"github.com/nowait/nowait/engine"
)

const (
	headerOK   = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n"
	responseOK = headerOK + "Hello, World!"
	notFound   = "HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nHello, World!"
)

// openConn returns a loop of plan and its connection, open, with a full
// pipeline of requests committed (as written).
func openConn(t *testing.T, plan *engine.Plan) (*loop, *conn) {
	t.Helper()
	l := testLoop(t, plan, []int{0}, nil)
	c := &l.conns[0]
	c.state = stateOpen
	if !l.commit(c) || int(c.inflight) != plan.Pipeline {
		t.Fatalf("committed %d requests, want %d", c.inflight, plan.Pipeline)
	}
	c.woff = int32(len(c.wbuf))
	return l, c
}

// feed parses b as the next read on c: after the bytes the parser asked
// to keep, as onReadable does.
func feed(t *testing.T, l *loop, c *conn, b []byte) {
	t.Helper()
	in := append(append([]byte(nil), c.rx.carry...), b...)
	c.rx.carry = c.rx.carry[:0]
	if !l.parse(c, in) {
		t.Fatal("the connection was closed")
	}
}

// A pipelined read answers responses that repeat the last one without
// parsing them again. Different bytes in between, and reads that end
// inside a response, must still give each response its own status.
func TestParseRepeatsOnlyTheSameBytes(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Pipeline = 8
	order := []string{responseOK, responseOK, responseOK, notFound, responseOK, responseOK, notFound, notFound}
	all := []byte(strings.Join(order, ""))
	for split := range len(all) {
		l, c := openConn(t, plan)
		feed(t, l, c, all[:split])
		feed(t, l, c, all[split:])
		if l.rec.Responses != 8 || l.rec.Status[200] != 5 || l.rec.Status[404] != 3 || c.inflight != 0 {
			t.Fatalf("split at %d: %d responses, %d 200s, %d 404s, %d in flight; want 8, 5, 3, 0",
				split, l.rec.Responses, l.rec.Status[200], l.rec.Status[404], c.inflight)
		}
	}
}

// A response to HEAD has no body, so the same header bytes answering a GET
// are only the start of its response: a repeat needs the same kind of
// request as well as the same bytes.
func TestParseRepeatNeedsTheSameKindOfRequest(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Pipeline = 4
	plan.Requests = []engine.Request{request("HEAD", "/", "127.0.0.1:1", 1), request("GET", "/", "127.0.0.1:1", 1)}
	l, c := openConn(t, plan)
	var b strings.Builder
	heads := 0
	for i := range int(c.inflight) {
		if l.mix.head[c.ring[(int(c.head)+i)%len(c.ring)].req] {
			b.WriteString(headerOK)
			heads++
		} else {
			b.WriteString(responseOK)
		}
	}
	if heads == 0 || heads == 4 {
		t.Fatalf("%d of 4 requests are HEAD; the test needs both kinds", heads)
	}
	feed(t, l, c, []byte(b.String()))
	if l.rec.Responses != 4 || l.rec.Status[200] != 4 || l.rec.ErrorTotal() != 0 || c.inflight != 0 {
		t.Fatalf("%d responses, %d 200s, errors %v, %d in flight; want 4, 4, none, 0",
			l.rec.Responses, l.rec.Status[200], l.rec.Errors, c.inflight)
	}
}

// Bytes that end a response begun in an earlier read are not a response
// of their own: a body that ends with the start of the next response must
// not make that start count as a repeat.
func TestParseRepeatNeedsACleanStart(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Pipeline = 2
	l, c := openConn(t, plan)
	tail := responseOK[:20] // the body of the first response
	feed(t, l, c, []byte("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"))
	feed(t, l, c, []byte(tail+responseOK))
	if l.rec.Responses != 2 || l.rec.ErrorTotal() != 0 || c.inflight != 0 {
		t.Fatalf("%d responses, errors %v, %d in flight; want 2, none, 0", l.rec.Responses, l.rec.Errors, c.inflight)
	}
}
