package goroutine

import (
	"bufio"
	"bytes"
	"errors"
)

// Response headers whose lines end with a lone LF. RFC 9112 (2.2) lets a
// recipient take a lone LF for a line's end, as the wire parser of the
// other modes does, and curl and Go's net/http; fasthttp's parser waits
// for the CR LF CR LF that ends a header block, so against a server that
// ends its lines with LF alone every request waited for its timeout.
// Before fasthttp reads a response, the header blocks waiting (the final
// response's and the interim 1xx ones before it) are looked at once: when
// a line ends with a lone LF, fasthttp reads them with a CR given to each
// line, and the response counts as the other modes count it. What a
// server with CR LF lines sends is read as it is; the look costs a scan
// of the header's line ends. The bytes are counted as they came on the
// wire (countingConn, pipeCall.size).

// crlfBlocks looks at the header blocks at the start of b: the status
// line and header lines up to an empty line, again after a 1xx status
// other than 101. When a line of them ends with a lone LF it returns them
// with CR LF line ends, and n, the bytes of b they stand for; fixed is nil
// when none does. need says that b does not hold them whole: more bytes
// must be read to tell.
func crlfBlocks(b []byte) (fixed []byte, n int, need bool) {
	bare := false
	i := 0
	for {
		status := -1 // the block's status line, by its start
		for {
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return nil, 0, true
			}
			end := i + j
			if j == 0 || b[end-1] != '\r' {
				bare = true
			}
			empty := j == 0 || j == 1 && b[i] == '\r'
			line := i
			i = end + 1
			if empty {
				if status >= 0 {
					break // the block's end
				}
				continue // an empty line before the status line
			}
			if status < 0 {
				status = line
			}
		}
		if !interim(b[status:i]) {
			break
		}
	}
	if !bare {
		return nil, i, false
	}
	fixed = make([]byte, 0, i+bytes.Count(b[:i], []byte{'\n'}))
	for rest := b[:i]; len(rest) > 0; {
		j := bytes.IndexByte(rest, '\n')
		line := rest[:j]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		fixed = append(append(fixed, line...), '\r', '\n')
		rest = rest[j+1:]
	}
	return fixed, i, false
}

// interim reports whether the header block starting with the status line
// at the start of b is an interim response (1xx, but 101, which ends the
// HTTP/1.1 exchange), which fasthttp skips to read the next.
func interim(b []byte) bool {
	sp := bytes.IndexByte(b, ' ')
	return sp >= 0 && len(b) > sp+3 && b[sp+1] == '1' && !bytes.HasPrefix(b[sp+1:], []byte("101"))
}

// crlfAhead peeks at the response header blocks waiting in br, reading
// more as it needs, and returns them with CR LF line ends when a line of
// them ends with a lone LF (crlfBlocks), with n, the bytes of br they
// stand for; fixed is nil when fasthttp can read them as they are (also
// when they do not fit in br: fasthttp reports a header too large). err
// is a failed read's, which the caller reports as fasthttp would have.
func crlfAhead(br *bufio.Reader) (fixed []byte, n int, err error) {
	want := 1
	for {
		if _, err := br.Peek(want); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return nil, 0, nil
			}
			return nil, 0, err
		}
		b, _ := br.Peek(br.Buffered()) // what is buffered: cannot fail
		fixed, n, need := crlfBlocks(b)
		if !need {
			return fixed, n, nil
		}
		want = len(b) + 1
	}
}

// crlfTaken empties br of what it holds, whose first n bytes are the
// header blocks crlfAhead gave as fixed, and returns what the response's
// reader must read instead, before what br would read next: fixed, then
// the rest of what br held.
func crlfTaken(br *bufio.Reader, fixed []byte, n int) []byte {
	rest, _ := br.Peek(br.Buffered())
	out := append(fixed, rest[n:]...)
	_, _ = br.Discard(len(rest)) // what is buffered: cannot fail
	return out
}
