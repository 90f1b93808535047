package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
)

// TestBareLFResponses: a server whose header lines end with a lone LF (RFC
// 9112, 2.2: a recipient may take one for a line's end) gets the same
// verdict in every mode: every response a 200, at once. Goroutine mode
// timed out on each (fasthttp waits for CR LF CR LF), though async and
// sync counted 200s. The responses' bytes are counted as they came.
func TestBareLFResponses(t *testing.T) {
	responses := []struct{ name, resp string }{
		{"all_lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"},
		{"mixed", "HTTP/1.1 200 OK\r\nServer: x\nContent-Length: 2\r\n\nok"},
		{"interim_lf", "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok"},
		{"chunked_lf", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\r\nok\r\n0\r\n\r\n"},
	}
	const n = 20
	for _, m := range modes {
		for _, rc := range responses {
			for _, depth := range []int{1, 4} {
				t.Run(fmt.Sprintf("%s/%s/pipeline%d", m.name, rc.name, depth), func(t *testing.T) {
					addr := serveRaw(t, rc.resp)
					p := enginetest.Plan(addr)
					p.Connections, p.MaxRequests, p.Pipeline, p.Timeout = 2, n, depth, time.Second
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					start := time.Now()
					res, err := engine.Execute(ctx, m.new(), p)
					if err != nil {
						t.Fatal(err)
					}
					took := time.Since(start)
					t.Logf("in %s: responses %d, status %v, errors %v, bytes in %d", took.Round(time.Millisecond),
						res.Responses, nonZero(res.Status[:]), res.Errors, res.BytesIn)
					if res.Responses != n || res.Status[200] != n || res.ErrorTotal() != 0 {
						t.Errorf("%d responses, %d 200s, errors %v; want %d 200s and no error", res.Responses, res.Status[200], res.Errors, n)
					}
					if res.Errors[stats.ErrTimeout] > 0 || took > 5*time.Second {
						t.Errorf("took %s, %d timeouts: a response waited for its timeout", took, res.Errors[stats.ErrTimeout])
					}
					if want := uint64(n * len(rc.resp)); res.BytesIn != want {
						t.Errorf("bytes in %d; want %d (%d responses of %d bytes, as they came)", res.BytesIn, want, n, len(rc.resp))
					}
				})
			}
		}
	}
}

// nonZero lists the non-zero counts of counts by index.
func nonZero(counts []uint64) map[int]uint64 {
	out := map[int]uint64{}
	for i, c := range counts {
		if c > 0 {
			out[i] = c
		}
	}
	return out
}

// serveRaw starts a server on 127.0.0.1:0 for the test that answers
// every request it reads (counted by the CR LF CR LF that ends it) with
// resp, byte for byte, and returns its address.
func serveRaw(t *testing.T, resp string) string {
	t.Helper()
	return enginetest.Serve(t, func(c net.Conn) {
		buf := make([]byte, 64<<10)
		var pending []byte
		for {
			k, err := c.Read(buf)
			if err != nil {
				return
			}
			pending = append(pending, buf[:k]...)
			var out []byte
			for {
				i := bytes.Index(pending, []byte("\r\n\r\n"))
				if i < 0 {
					break
				}
				pending = pending[i+4:]
				out = append(out, resp...)
			}
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	})
}
