package goroutine

import (
	"bufio"
	"strings"
	"testing"
)

func TestCRLFBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		fixed    string // "" for nil
		n        int
		need     bool
	}{
		{"crlf", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "", 38, false},
		{"lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 35, false},
		{"lf blank line only", "HTTP/1.1 200 OK\r\nA: b\r\n\nok", "HTTP/1.1 200 OK\r\nA: b\r\n\r\n", 24, false},
		{"no header", "HTTP/1.1 204 No Content\n\n", "HTTP/1.1 204 No Content\r\n\r\n", 25, false},
		{"partial", "HTTP/1.1 200 OK\nContent-Le", "", 0, true},
		{"partial block", "HTTP/1.1 200 OK\nA: b\n", "", 0, true},
		{"interim then final", "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nA: b\n\nok",
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n", 45, false},
		{"interim, final not yet", "HTTP/1.1 100 Continue\n\nHTTP/1.1 2", "", 0, true},
		{"101 is final", "HTTP/1.1 101 Switching\n\nxyz", "HTTP/1.1 101 Switching\r\n\r\n", 24, false},
		{"empty line first", "\nHTTP/1.1 200 OK\n\n", "\r\nHTTP/1.1 200 OK\r\n\r\n", 18, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fixed, n, need := crlfBlocks([]byte(tc.in))
			if string(fixed) != tc.fixed || (fixed == nil) != (tc.fixed == "") || need != tc.need || (!need && n != tc.n) {
				t.Errorf("crlfBlocks(%q) = %q, %d, %v; want %q, %d, %v", tc.in, fixed, n, need, tc.fixed, tc.n, tc.need)
			}
		})
	}
}

// TestCRLFAheadReadsOn: a header that comes in pieces is read to its end
// before it is judged, and one too long for the buffer is left to
// fasthttp, which reports it.
func TestCRLFAheadReadsOn(t *testing.T) {
	in := "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"
	br := bufio.NewReaderSize(&oneByte{s: in}, 64)
	fixed, n, err := crlfAhead(br)
	if err != nil || string(fixed) != "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" || n != 35 {
		t.Fatalf("crlfAhead = %q, %d, %v", fixed, n, err)
	}
	if rest := string(crlfTaken(br, fixed, n)); rest != "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" {
		t.Errorf("crlfTaken = %q; want the fixed header (the body is still unread)", rest)
	}
	long := "HTTP/1.1 200 OK\nX: " + strings.Repeat("a", 100) + "\n\n"
	br = bufio.NewReaderSize(strings.NewReader(long), 32)
	if fixed, _, err := crlfAhead(br); fixed != nil || err != nil {
		t.Errorf("a header longer than the buffer: %q, %v; want nil, nil (fasthttp's to report)", fixed, err)
	}
}

// oneByte reads s one byte at a time.
type oneByte struct{ s string }

func (o *oneByte) Read(b []byte) (int, error) {
	if len(o.s) == 0 {
		return 0, nil
	}
	n := copy(b[:1], o.s)
	o.s = o.s[n:]
	return n, nil
}
