package wire

import (
	"bytes"
	"fmt"
)

// DefaultMaxHeaderBytes is the longest header block (status line, header
// lines and the empty line) or trailer section a zero Parser accepts.
const DefaultMaxHeaderBytes = 16 << 10

const (
	// maxChunkHexDigits bounds a chunk size to 2^60 so sums never overflow.
	maxChunkHexDigits = 15
	// maxDecimalDigits bounds a Content-Length below 2^63.
	maxDecimalDigits = 18
	// badQuoteLen is how many bytes of an offending line an error quotes.
	badQuoteLen = 64
)

// state is where the parser stands inside the response in progress.
type state uint8

const (
	stStatus    state = iota // expecting a status line (nothing in progress, or after a 1xx)
	stHeaders                // status line read, reading header lines
	stBody                   // inside a Content-Length body
	stClose                  // inside a body delimited by the connection's close
	stChunkSize              // expecting a chunk-size line
	stChunkData              // inside a chunk's data
	stChunkCR                // chunk data read, expecting CR LF (or a lone LF)
	stChunkLF                // CR read after chunk data, expecting LF
	stTrailers               // last chunk read, reading trailer lines
)

// Parser parses HTTP/1.1 responses incrementally, in place, with no
// allocation. The zero value is ready to use with DefaultMaxHeaderBytes.
//
// Lines (status line, header lines, chunk-size lines, trailers) are parsed
// as soon as they are complete and are consumed, so what the caller keeps
// between reads is at most one partial line, never more than the maximum
// header size. Body bytes are counted and consumed as they arrive.
type Parser struct {
	maxHeader int
	err       error // sticky until Reset
	state     state

	// The response in progress.
	interim bool // a 1xx response was skipped for the response in progress
	head    bool // the response answers a HEAD request
	headFields
	remaining  int64 // bytes left in the body or the chunk
	bodyLen    int64 // body bytes consumed so far
	tokenBytes int   // bytes of the header block, trailer section or chunk line so far
	scan       int   // bytes at the start of the next buf already scanned for LF
	kept       int   // bytes the caller was told to keep

	// The last completed response.
	lastStatus    int
	lastKeepAlive bool
	lastBodyLen   int64

	memo memo // the last header block parsed line by line (memo.go)
}

// headFields is what a header block (status line and headers) says about
// its response.
type headFields struct {
	status        int // of the response in progress
	contentLength int64
	http10        bool
	connClose     bool
	connKeepAlive bool
	hasTE         bool // a Transfer-Encoding header was seen
	chunked       bool // the last transfer coding is chunked
	hasCL         bool // a Content-Length header was seen
}

// SetMaxHeaderBytes sets the longest header block or trailer section
// accepted; n <= 0 restores DefaultMaxHeaderBytes.
func (p *Parser) SetMaxHeaderBytes(n int) {
	p.maxHeader = n
}

// Reset drops any partial state, for a new connection. The maximum header
// size and the last completed response are kept.
func (p *Parser) Reset() {
	p.err = nil
	p.state = stStatus
	p.scan = 0
	p.kept = 0
	p.interim = false
	p.clearResponse()
}

// clearResponse forgets the headers of the response in progress.
func (p *Parser) clearResponse() {
	p.headFields = headFields{}
	p.remaining = 0
	p.bodyLen = 0
	p.tokenBytes = 0
}

// Busy reports whether part of a response has been consumed (or is kept
// by the caller) and the response is not done.
func (p *Parser) Busy() bool {
	return p.state != stStatus || p.interim || p.kept > 0
}

// Status returns the status code of the last completed response.
func (p *Parser) Status() int { return p.lastStatus }

// KeepAlive reports whether the connection may carry another response
// after the last completed one: false after "Connection: close", after
// HTTP/1.0 without "Connection: keep-alive", after 101 Switching
// Protocols and after a body delimited by the close.
func (p *Parser) KeepAlive() bool { return p.lastKeepAlive }

// BodyLen returns the number of body bytes of the last completed response
// (chunk data only, for a chunked body).
func (p *Parser) BodyLen() int64 { return p.lastBodyLen }

// max returns the maximum header size in force.
func (p *Parser) max() int {
	if p.maxHeader <= 0 {
		return DefaultMaxHeaderBytes
	}
	return p.maxHeader
}

// Parse consumes bytes of buf for the response in progress. head says
// whether that response answers a HEAD request (read when a new response
// starts).
//
// It returns when the response completed (done=true; n counts the bytes up
// to and including its end; the caller calls Parse again with buf[n:] for
// the next pipelined response) or when it needs more bytes (done=false; if
// n < len(buf), buf[n:] is an incomplete line that the caller must keep and
// present again at the start of buf, followed by the next bytes read).
// 1xx responses other than 101 are consumed and skipped. After an error
// the parser returns the same error until Reset.
func (p *Parser) Parse(buf []byte, head bool) (n int, done bool, err error) {
	if p.err != nil {
		return 0, false, p.err
	}
	p.kept = 0
	i := 0
	block := -1 // where the header block in progress began, if in buf
	for {
		switch p.state {
		case stStatus, stHeaders, stChunkSize, stTrailers:
			if p.state == stStatus && p.tokenBytes == 0 {
				if k := p.memo.match(buf[i:], p.max()); k > 0 {
					i += k
					if p.recalled(k, head) {
						return i, true, nil
					}
					continue
				}
				block = i
			}
			from := i
			if p.scan > 0 {
				from = p.skipScanned(buf, i)
			}
			j := bytes.IndexByte(buf[from:], '\n')
			if j < 0 {
				return p.partialLine(buf, i)
			}
			j += from
			line := buf[i:j]
			if k := len(line) - 1; k >= 0 && line[k] == '\r' {
				line = line[:k]
			}
			p.tokenBytes += j + 1 - i
			i = j + 1
			if p.tokenBytes > p.max() || p.state == stStatus {
				if err := p.checkToken(line); err != nil {
					return p.fail(i, err)
				}
			}
			var done bool
			var err error
			if p.state == stHeaders && len(line) > 0 {
				err = p.parseHeader(line) // the common line, directly
			} else {
				if p.state == stHeaders && block >= 0 {
					p.memo.remember(buf[block:i], p.headFields)
				}
				done, err = p.onLine(line, head)
			}
			if err != nil {
				return p.fail(i, err)
			}
			if done {
				return i, true, nil
			}
		case stBody, stChunkData:
			avail := int64(len(buf) - i)
			if avail == 0 {
				return i, false, nil
			}
			k := min(avail, p.remaining)
			i += int(k)
			p.remaining -= k
			p.bodyLen += k
			if p.remaining > 0 {
				continue
			}
			if p.state == stBody {
				p.finish(!p.closeWanted())
				return i, true, nil
			}
			p.state = stChunkCR
		case stClose:
			p.bodyLen += int64(len(buf) - i)
			return len(buf), false, nil
		case stChunkCR, stChunkLF:
			if i == len(buf) {
				return i, false, nil
			}
			c := buf[i]
			i++
			switch {
			case c == '\r' && p.state == stChunkCR:
				p.state = stChunkLF
			case c == '\n':
				p.state = stChunkSize
				p.tokenBytes = 0
			default:
				return p.fail(i, fmt.Errorf("%w: no CRLF after chunk data", ErrBadResponse))
			}
		}
	}
}

// skipScanned returns where to look for the LF of the line starting at
// buf[i] on the first call after a partial line: past the bytes already
// scanned, so a header block arriving in pieces is scanned once.
func (p *Parser) skipScanned(buf []byte, i int) int {
	from := min(i+p.scan, len(buf))
	p.scan = 0
	return from
}

// partialLine returns for more bytes when buf[i:] holds an incomplete line,
// unless that line already breaks the limits or cannot start a status line.
func (p *Parser) partialLine(buf []byte, i int) (int, bool, error) {
	rest := buf[i:]
	if p.state == stStatus {
		if err := checkVersionPrefix(rest); err != nil {
			return p.fail(i, err)
		}
	}
	if p.tokenBytes+len(rest) > p.max() {
		return p.fail(i, p.tooLong())
	}
	p.scan = len(rest)
	p.kept = len(rest)
	return i, false, nil
}

// checkToken checks a complete line against the limits: the header block
// and the trailer section are bounded by the maximum header size, and so is
// one chunk-size line. A status line is checked for "HTTP/1." first, so a
// garbage line gives the same error whether it arrives whole or in pieces.
func (p *Parser) checkToken(line []byte) error {
	if p.state == stStatus {
		if err := checkVersionPrefix(line); err != nil {
			return err
		}
	}
	if p.tokenBytes > p.max() {
		return p.tooLong()
	}
	return nil
}

// tooLong returns the error for a line or section over the limit.
func (p *Parser) tooLong() error {
	if p.state == stChunkSize {
		return fmt.Errorf("%w: chunk-size line longer than %d bytes", ErrBadResponse, p.max())
	}
	return fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, p.max())
}

// fail makes err sticky and returns it.
func (p *Parser) fail(i int, err error) (int, bool, error) {
	p.err = err
	p.kept = 0
	return i, false, err
}

// onLine handles one complete line (without its line ending) in the
// current state and reports whether the response is done.
func (p *Parser) onLine(line []byte, head bool) (bool, error) {
	switch p.state {
	case stStatus:
		if !p.interim {
			p.head = head
		}
		if err := p.parseStatusLine(line); err != nil {
			return false, err
		}
		p.state = stHeaders
	case stHeaders:
		if len(line) == 0 {
			return p.endHeaders(), nil
		}
		return false, p.parseHeader(line)
	case stChunkSize:
		return false, p.parseChunkSize(line)
	case stTrailers:
		if len(line) == 0 {
			p.finish(!p.closeWanted())
			return true, nil
		}
		if _, _, err := splitField(line); err != nil {
			return false, err
		}
	}
	return false, nil
}

// endHeaders decides, at the empty line, how the body is delimited, and
// reports whether the response is already done.
func (p *Parser) endHeaders() bool {
	s := p.status
	switch {
	case s == 101:
		p.finish(false)
		return true
	case s < 200:
		// An interim response: skip it and wait for the final one.
		p.interim = true
		p.clearResponse()
		p.state = stStatus
		return false
	case p.head || s == 204 || s == 304:
		p.finish(!p.closeWanted())
		return true
	case p.hasTE && p.chunked:
		p.state = stChunkSize
		p.tokenBytes = 0
		return false
	case p.hasTE:
		// A transfer coding other than chunked last: read until close.
		p.state = stClose
		return false
	case p.hasCL && p.contentLength == 0:
		p.finish(!p.closeWanted())
		return true
	case p.hasCL:
		p.state = stBody
		p.remaining = p.contentLength
		return false
	default:
		p.state = stClose
		return false
	}
}

// closeWanted reports whether the headers ask to close after this response.
func (p *Parser) closeWanted() bool {
	if p.http10 {
		return p.connClose || !p.connKeepAlive
	}
	return p.connClose
}

// finish publishes the response in progress as the last completed one and
// makes the parser ready for the next.
func (p *Parser) finish(keepAlive bool) {
	p.lastStatus = p.status
	p.lastKeepAlive = keepAlive
	p.lastBodyLen = p.bodyLen
	p.state = stStatus
	p.interim = false
	p.clearResponse()
}

// EOF tells the parser the peer closed the connection. A body delimited by
// the close completes (done=true). With nothing in progress it returns
// done=false and a nil error; with a partial response, ErrIncomplete.
func (p *Parser) EOF() (done bool, err error) {
	if p.err != nil {
		return false, p.err
	}
	if p.state == stClose {
		p.finish(false)
		return true, nil
	}
	if p.Busy() {
		p.err = ErrIncomplete
		return false, p.err
	}
	return false, nil
}
