package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// crlf turns "|" into "\r\n", to keep the table readable.
func crlf(s string) string { return strings.ReplaceAll(s, "|", "\r\n") }

type parseCase struct {
	name      string
	in        string // "|" stands for CRLF
	head      bool
	eof       bool // the peer closes after the input
	maxHeader int
	want      []resp
	err       error
	consumed  int // bytes consumed when there is no error; -1 means len(in)
}

var ok200 = crlf("HTTP/1.1 200 OK|Content-Length: 5||hello")

func parseCases() []parseCase {
	chunked := crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5;name=val|hello|A ; x ; y=\"z\"|0123456789|0|X-Trailer: 1|X-Other:2||")
	return []parseCase{
		{name: "content-length", in: ok200, want: []resp{{200, 5, true}}},
		{name: "no reason", in: crlf("HTTP/1.1 404|Content-Length: 3||abc"), want: []resp{{404, 3, true}}},
		{name: "empty reason", in: crlf("HTTP/1.1 500 |Content-Length: 0||"), want: []resp{{500, 0, true}}},
		{name: "pipelined", in: ok200 + crlf("HTTP/1.1 201 Created|content-length:0||") + chunked + ok200,
			want: []resp{{200, 5, true}, {201, 0, true}, {200, 15, true}, {200, 5, true}}},
		{name: "chunked extensions trailers", in: chunked, want: []resp{{200, 15, true}}},
		{name: "chunked empty", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||0||"), want: []resp{{200, 0, true}}},
		{name: "chunked upper hex, lone LF after data", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1F\r\n0123456789012345678901234567890\n0\r\n\r\n",
			want: []resp{{200, 31, true}}},
		{name: "chunked wins over content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: 100|Transfer-Encoding: gzip, chunked||3|abc|0||"),
			want: []resp{{200, 3, true}}},
		{name: "transfer-encoding not chunked is close-delimited", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: gzip||abcdef"), eof: true,
			want: []resp{{200, 6, false}}},
		{name: "head ignores content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: 1000||") + crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||"), head: true,
			want: []resp{{200, 0, true}, {200, 0, true}}},
		{name: "204 and 304 have no body", in: crlf("HTTP/1.1 204 No Content||HTTP/1.1 304 Not Modified|Content-Length: 100||") + ok200,
			want: []resp{{204, 0, true}, {304, 0, true}, {200, 5, true}}},
		{name: "100 continue then 200", in: crlf("HTTP/1.1 100 Continue||") + ok200, want: []resp{{200, 5, true}}},
		{name: "103 early hints with headers then 200", in: crlf("HTTP/1.1 103 Early Hints|Link: </a.css>; rel=preload|Content-Length: 7||HTTP/1.1 102 Processing||") + ok200,
			want: []resp{{200, 5, true}}},
		{name: "101 switching protocols", in: crlf("HTTP/1.1 101 Switching Protocols|Upgrade: websocket|Connection: Upgrade||"),
			want: []resp{{101, 0, false}}},
		{name: "http/1.0 close-delimited", in: crlf("HTTP/1.0 200 OK|Server: x||") + strings.Repeat("b", 300), eof: true,
			want: []resp{{200, 300, false}}},
		{name: "http/1.1 close-delimited", in: crlf("HTTP/1.1 200 OK||abc"), eof: true, want: []resp{{200, 3, false}}},
		{name: "close-delimited empty", in: crlf("HTTP/1.1 200 OK||"), eof: true, want: []resp{{200, 0, false}}},
		{name: "http/1.0 with length closes", in: crlf("HTTP/1.0 200 OK|Content-Length: 2||ok"), want: []resp{{200, 2, false}}},
		{name: "http/1.0 with transfer-encoding is faulty", in: crlf("HTTP/1.0 200 OK|Transfer-Encoding: chunked||0||"), err: ErrBadResponse},
		{name: "http/1.0 keep-alive", in: crlf("HTTP/1.0 200 OK|Connection: Keep-Alive|Content-Length: 2||ok"), want: []resp{{200, 2, true}}},
		{name: "connection close", in: crlf("HTTP/1.1 200 OK|Connection: keep-alive, CLOSE|Content-Length: 2||ok"), want: []resp{{200, 2, false}}},
		{name: "connection close on chunked", in: crlf("HTTP/1.1 200 OK|Connection: close|Transfer-Encoding: chunked||0||"), want: []resp{{200, 0, false}}},
		{name: "lone LF", in: "HTTP/1.1 200 OK\nContent-Length: 3\n\nabcHTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nab\n0\n\n",
			want: []resp{{200, 3, true}, {200, 2, true}}},
		{name: "case and whitespace", in: crlf("HTTP/1.1 200 OK|cOnTeNt-LeNgTh: \t 4 \t|X-Empty:|X-Tab:\tv||abcd"), want: []resp{{200, 4, true}}},
		{name: "identical content-lengths", in: crlf("HTTP/1.1 200 OK|Content-Length: 3|Content-Length: 3, 3||abc"), want: []resp{{200, 3, true}}},
		{name: "eof after complete response", in: ok200, eof: true, want: []resp{{200, 5, true}}},
		{name: "eof with nothing", in: "", eof: true},
		{name: "header block at the limit", in: crlf("HTTP/1.1 200 OK|Content-Length: 1|X: " + strings.Repeat("v", 20) + "||x"), maxHeader: 63,
			want: []resp{{200, 1, true}}},
		{name: "big content-length body", in: crlf("HTTP/1.1 200 OK|Content-Length: 1000||") + strings.Repeat("z", 1000), want: []resp{{200, 1000, true}}},
		{name: "partial header waits", in: crlf("HTTP/1.1 200 OK|Content-"), consumed: 17},

		{name: "bad version", in: crlf("HTTP/2 200 OK||"), err: ErrBadResponse},
		{name: "garbage", in: "hello world", err: ErrBadResponse},
		{name: "leading empty line", in: crlf("|") + ok200, err: ErrBadResponse},
		{name: "two-digit status", in: crlf("HTTP/1.1 20 OK||"), err: ErrBadResponse},
		{name: "status without space", in: crlf("HTTP/1.1 200OK||"), err: ErrBadResponse},
		{name: "status not digits", in: crlf("HTTP/1.1 2x0 OK||"), err: ErrBadResponse},
		{name: "status below 100", in: crlf("HTTP/1.1 099 OK||"), err: ErrBadResponse},
		{name: "negative content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: -1||"), err: ErrBadResponse},
		{name: "non-numeric content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: 12a||"), err: ErrBadResponse},
		{name: "plus content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: +1||"), err: ErrBadResponse},
		{name: "empty content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: ||"), err: ErrBadResponse},
		{name: "huge content-length", in: crlf("HTTP/1.1 200 OK|Content-Length: 9999999999999999999||"), err: ErrBadResponse},
		{name: "conflicting content-lengths", in: crlf("HTTP/1.1 200 OK|Content-Length: 3|Content-Length: 4||abc"), err: ErrBadResponse},
		{name: "conflicting content-length list", in: crlf("HTTP/1.1 200 OK|Content-Length: 3, 4||abc"), err: ErrBadResponse},
		{name: "header without colon", in: crlf("HTTP/1.1 200 OK|Content-Length 3||abc"), err: ErrBadResponse},
		{name: "space in header name", in: crlf("HTTP/1.1 200 OK|Content-Length : 3||abc"), err: ErrBadResponse},
		{name: "obsolete folding", in: crlf("HTTP/1.1 200 OK|X: a| b|Content-Length: 0||"), err: ErrBadResponse},
		{name: "bad chunk size", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||zz|"), err: ErrBadResponse},
		{name: "chunk size junk after", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5 x|hello|0||"), err: ErrBadResponse},
		{name: "chunk size overflow", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||1000000000000000|"), err: ErrBadResponse},
		{name: "no CRLF after chunk", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5|helloX|0||"), err: ErrBadResponse},
		{name: "CR without LF after chunk", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5|hello\rX0||"), err: ErrBadResponse},
		{name: "bad trailer", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||0|no colon||"), err: ErrBadResponse},
		{name: "chunk-size line too long", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5;" + strings.Repeat("e", 80) + "|hello|0||"),
			maxHeader: 64, err: ErrBadResponse},
		{name: "header too large", in: crlf("HTTP/1.1 200 OK|Content-Length: 1|X: " + strings.Repeat("v", 21) + "||x"), maxHeader: 63,
			err: ErrHeaderTooLarge},
		{name: "header line too large", in: crlf("HTTP/1.1 200 OK|X: " + strings.Repeat("v", 100)), maxHeader: 64, err: ErrHeaderTooLarge},
		{name: "trailers too large", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||0|X: " + strings.Repeat("t", 70) + "||"),
			maxHeader: 64, err: ErrHeaderTooLarge},
		{name: "eof in status line", in: "HTTP/1.1 2", eof: true, err: ErrIncomplete},
		{name: "eof in headers", in: crlf("HTTP/1.1 200 OK|Content-Length: 5|"), eof: true, err: ErrIncomplete},
		{name: "eof in body", in: crlf("HTTP/1.1 200 OK|Content-Length: 5||hel"), eof: true, err: ErrIncomplete},
		{name: "eof in chunk", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||5|hel"), eof: true, err: ErrIncomplete},
		{name: "eof in trailers", in: crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||0|X: 1|"), eof: true, err: ErrIncomplete},
		{name: "eof after 100 continue", in: crlf("HTTP/1.1 100 Continue||"), eof: true, err: ErrIncomplete},
		{name: "eof after second response starts", in: ok200 + "HTTP", eof: true, want: []resp{{200, 5, true}}, err: ErrIncomplete},
		{name: "error after good response", in: ok200 + crlf("HTTP/1.1 200 OK|Content-Length: x||"), want: []resp{{200, 5, true}}, err: ErrBadResponse},
	}
}

func TestParse(t *testing.T) {
	for k, tc := range parseCases() {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			want := outcome{resps: tc.want, err: tc.err, consumed: tc.consumed}
			if tc.consumed == 0 {
				want.consumed = len(in)
			}
			want.kept = len(in) - want.consumed
			if err := agreeWithNetHTTP(tc.want, in, tc.head); err != nil {
				t.Fatalf("net/http: %v", err)
			}
			for name, chunks := range splits(in, uint64(k)) {
				got, broken := feed(chunks, tc.head, tc.maxHeader, tc.eof)
				if broken != nil {
					t.Fatalf("%s: %v", name, broken)
				}
				if err := sameOutcome(got, want); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		})
	}
}

func TestParseErrorIsSticky(t *testing.T) {
	var p Parser
	_, _, err := p.Parse([]byte("FTP 200\r\n"), false)
	if !errors.Is(err, ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse", err)
	}
	if _, _, err2 := p.Parse([]byte(ok200), false); err2 != err {
		t.Fatalf("second Parse err = %v, want the sticky %v", err2, err)
	}
	p.Reset()
	n, done, err := p.Parse([]byte(ok200), false)
	if n != len(ok200) || !done || err != nil || p.Status() != 200 {
		t.Fatalf("after Reset: n=%d done=%v err=%v status=%d", n, done, err, p.Status())
	}
}

func TestResetDropsPartialResponse(t *testing.T) {
	var p Parser
	p.Parse([]byte(crlf("HTTP/1.1 200 OK|Content-Length: 100||abc")), false)
	if !p.Busy() {
		t.Fatal("not Busy in the middle of a body")
	}
	p.Reset()
	if p.Busy() {
		t.Fatal("Busy after Reset")
	}
	if done, err := p.EOF(); done || err != nil {
		t.Fatalf("EOF after Reset = %v, %v", done, err)
	}
}

// TestLargeBodyConsumedReadByRead checks that a 1 MB body is counted as it
// arrives in 64 KB reads, with nothing to keep between reads.
func TestLargeBodyConsumedReadByRead(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		const size = 1 << 20
		var in []byte
		if chunked {
			in = []byte(crlf("HTTP/1.1 200 OK|Transfer-Encoding: chunked||100000|"))
			in = append(in, bytes.Repeat([]byte("x"), size)...)
			in = append(in, crlf("|0||")...)
		} else {
			in = []byte(crlf("HTTP/1.1 200 OK|Content-Length: 1048576||"))
			in = append(in, bytes.Repeat([]byte("x"), size)...)
		}
		var p Parser
		reads, total := 0, 0
		for off := 0; off < len(in); off += 64 << 10 {
			read := in[off:min(off+64<<10, len(in))]
			n, done, err := p.Parse(read, false)
			reads++
			total += n
			if err != nil || n != len(read) {
				t.Fatalf("chunked=%v read %d: n=%d of %d, err=%v", chunked, reads, n, len(read), err)
			}
			if done != (off+len(read) == len(in)) {
				t.Fatalf("chunked=%v read %d: done=%v", chunked, reads, done)
			}
		}
		if total != len(in) || p.BodyLen() != size || p.Status() != 200 {
			t.Fatalf("chunked=%v: consumed %d of %d, body %d", chunked, total, len(in), p.BodyLen())
		}
	}
}

func TestMaxHeaderBytesDefault(t *testing.T) {
	var p Parser
	big := crlf("HTTP/1.1 200 OK|X: " + strings.Repeat("v", DefaultMaxHeaderBytes) + "|Content-Length: 0||")
	if _, _, err := p.Parse([]byte(big), false); !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("err = %v, want ErrHeaderTooLarge", err)
	}
	p.Reset()
	p.SetMaxHeaderBytes(len(big))
	if n, done, err := p.Parse([]byte(big), false); n != len(big) || !done || err != nil {
		t.Fatalf("with a larger limit: n=%d done=%v err=%v", n, done, err)
	}
}
