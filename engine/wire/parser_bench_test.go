package wire_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// typical is a ~130-byte response as small API servers send it.
const typical = "HTTP/1.1 200 OK\r\n" +
	"Server: nowait\r\n" +
	"Date: Wed, 25 Nov 2026 22:00:00 GMT\r\n" +
	"Content-Type: text/plain\r\n" +
	"Content-Length: 13\r\n" +
	"\r\n" +
	"Hello, World!"

// chunkedResp is a chunked response with two chunks and no trailer.
const chunkedResp = "HTTP/1.1 200 OK\r\n" +
	"Server: nowait\r\n" +
	"Content-Type: text/plain\r\n" +
	"Transfer-Encoding: chunked\r\n" +
	"\r\n" +
	"7\r\nHello, \r\n" +
	"6\r\nWorld!\r\n" +
	"0\r\n\r\n"

// varying returns n typical responses whose header blocks all differ (a
// request id), so that no block is ever recalled from the parser's memo.
func varying(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "HTTP/1.1 200 OK\r\nX-Request-Id: %04d\r\n%s", i, typical[len("HTTP/1.1 200 OK\r\n"):])
	}
	return sb.String()
}

// parseAll parses every response of buf and returns how many completed.
func parseAll(b *testing.B, p *wire.Parser, buf []byte) int {
	count := 0
	for len(buf) > 0 {
		n, done, err := p.Parse(buf, false)
		if err != nil || !done {
			b.Fatalf("n=%d done=%v err=%v", n, done, err)
		}
		buf = buf[n:]
		count++
	}
	return count
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name  string
		buf   string
		count int
	}{
		{"typical", typical, 1},
		{"pipelined16", strings.Repeat(typical, 16), 16},
		{"chunked", chunkedResp, 1},
		{"varying16", varying(16), 16},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			buf := []byte(c.buf)
			var p wire.Parser
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if parseAll(b, &p, buf) != c.count {
					b.Fatal("wrong number of responses")
				}
			}
		})
	}
}

// BenchmarkParseAndRecord is the whole per-response cost on a reactor
// loop: parse one response and record it.
func BenchmarkParseAndRecord(b *testing.B) {
	buf := []byte(typical)
	var p wire.Parser
	rec := stats.NewRecorder()
	b.ReportAllocs()
	lat := int64(0)
	for b.Loop() {
		parseAll(b, &p, buf)
		lat = (lat + 7919) % 50_000_000 // spread over the histogram
		rec.RecordResponse(p.Status(), lat+100_000, lat+100_000)
	}
	if rec.Responses == 0 || rec.Status[200] != rec.Responses {
		b.Fatalf("recorded %d responses, %d of them 200", rec.Responses, rec.Status[200])
	}
}
