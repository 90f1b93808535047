package reactor

import (
	"math/rand/v2"
	"slices"
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

// Random runs of responses, many of them repeats, split into reads at
// random points: every response is answered with its own status.
func TestParseRepeatsInRandomReads(t *testing.T) {
	gets := []struct {
		text   string
		status int
	}{
		{responseOK, 200}, {notFound, 404},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n0\r\n\r\n", 200},
		{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 503},
	}
	heads := []struct {
		text   string
		status int
	}{{headerOK, 200}, {"HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\n", 404}}
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Pipeline = 16
	plan.Requests = []engine.Request{request("GET", "/", "127.0.0.1:1", 3), request("HEAD", "/", "127.0.0.1:1", 1)}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		l, c := openConn(t, plan)
		var b strings.Builder
		want := map[int]uint64{}
		pick := 0
		for i := range int(c.inflight) {
			if rng.IntN(3) == 0 { // mostly repeats of the one before
				pick = rng.IntN(4)
			}
			r := gets[pick%len(gets)]
			if l.mix.head[c.ring[(int(c.head)+i)%len(c.ring)].req] {
				r = heads[pick%len(heads)]
			}
			b.WriteString(r.text)
			want[r.status]++
		}
		all := []byte(b.String())
		cuts := []int{rng.IntN(len(all) + 1), rng.IntN(len(all) + 1)}
		slices.Sort(cuts)
		feed(t, l, c, all[:cuts[0]])
		feed(t, l, c, all[cuts[0]:cuts[1]])
		feed(t, l, c, all[cuts[1]:])
		if l.rec.Responses != 16 || c.inflight != 0 || l.rec.ErrorTotal() != 0 {
			t.Fatalf("round %d, cuts %v: %d responses, %d in flight, errors %v", round, cuts, l.rec.Responses, c.inflight, l.rec.Errors)
		}
		for status, n := range want {
			if l.rec.Status[status] != n {
				t.Fatalf("round %d, cuts %v: %d responses %d, want %d", round, cuts, l.rec.Status[status], status, n)
			}
		}
	}
}
