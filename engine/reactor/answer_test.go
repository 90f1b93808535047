//go:build linux

package reactor

import (
	"strings"
	"testing"
	"time"
)

// TestAnswersRecordEachRunsLatency: one read holding the answers to two
// batches of requests (written 1 ms apart) and a 503 in the second records
// each response with its own batch's latency and its own status, though
// equal answers are recorded as one run.
func TestAnswersRecordEachRunsLatency(t *testing.T) {
	plan := newPlan(t, "127.0.0.1:1", 1, 1)
	plan.Pipeline = 8
	l := testLoop(t, plan, []int{0}, nil)
	c := &l.conns[0]
	c.state = stateOpen
	ms := int64(time.Millisecond)
	for i := range 8 {
		ns := 1 * ms // the first batch
		if i >= 4 {
			ns = 2 * ms // the second
		}
		c.ring[i] = sent{ns: ns, due: ns}
	}
	c.inflight, l.outstanding = 8, 8
	l.takeRx(c)
	l.now = 6 * ms
	const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
	const busy = "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"
	if !l.parse(c, []byte(strings.Repeat(ok, 6)+busy+ok)) {
		t.Fatal("connection closed")
	}
	if l.rec.Responses != 8 || l.rec.Status[200] != 7 || l.rec.Status[503] != 1 || c.inflight != 0 {
		t.Fatalf("recorded %d responses (%d 200, %d 503), %d still in flight", l.rec.Responses, l.rec.Status[200], l.rec.Status[503], c.inflight)
	}
	at := map[int64]int64{} // µs -> responses
	for _, b := range l.rec.Latency.Distribution() {
		if b.Count > 0 {
			at[b.From/1000*1000] += b.Count
		}
	}
	if len(at) != 2 || at[5000] != 4 || at[4000] != 4 {
		t.Fatalf("latencies by µs: %v; want 4 at 5000 (the first batch) and 4 at 4000", at)
	}
	if l.answers.n != 0 {
		t.Fatalf("%d answers left unrecorded after the read", l.answers.n)
	}
}
