package wire

import (
	"bytes"
	"fmt"
)

// versionPrefix starts every status line the parser accepts.
const versionPrefix = "HTTP/1."

// checkVersionPrefix fails when b (a status line or its start) cannot
// begin with "HTTP/1.".
func checkVersionPrefix(b []byte) error {
	k := min(len(b), len(versionPrefix))
	if string(b[:k]) != versionPrefix[:k] {
		if len(b) == 1 && (b[0] == 0x15 || b[0] == 0x16) {
			return nil // the second byte tells a TLS record from garbage
		}
		if IsTLSRecord(b) {
			return fmt.Errorf("%w: %w %q", ErrBadResponse, ErrTLSRecord, quote(b))
		}
		return fmt.Errorf("%w: status line %q", ErrBadResponse, quote(b))
	}
	return nil
}

// IsTLSRecord reports whether b, the first bytes of a response, begins
// as a TLS record does, an alert (0x15) or a handshake (0x16) of version
// 3.x (0x03): a TLS server's answer to a plain HTTP request.
//
//	15 03 03 00 02 02 46    alert, TLS 1.2 record, 2 bytes: fatal, protocol_version
func IsTLSRecord(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03
}

// parseStatusLine reads "HTTP/1.x SP 3DIGIT [SP reason]".
//
//	HTTP/1.1 200 OK
//	0      7 9  12
func (p *Parser) parseStatusLine(line []byte) error {
	if len(line) < 12 || !isDigit(line[7]) || line[8] != ' ' ||
		!isDigit(line[9]) || !isDigit(line[10]) || !isDigit(line[11]) ||
		(len(line) > 12 && line[12] != ' ') || line[9] == '0' {
		return fmt.Errorf("%w: status line %q", ErrBadResponse, quote(line))
	}
	p.http10 = line[7] == '0'
	p.status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	return nil
}

// splitField checks a header (or trailer) line "name: value" and returns
// the name and the raw value (still with its surrounding whitespace,
// trimmed only for the headers that matter). A line starting
// with whitespace (obsolete folding) or a name with whitespace or control
// bytes is refused. One pass finds the colon and checks the name.
func splitField(line []byte) (name, value []byte, err error) {
	for i, b := range line {
		if b == ':' && i > 0 {
			return line[:i], line[i+1:], nil
		}
		if b <= ' ' || b >= 0x7f || b == ':' {
			break
		}
	}
	return nil, nil, fmt.Errorf("%w: header line %q", ErrBadResponse, quote(line))
}

// parseHeader reads one header line, keeping what frames the body and
// the connection: Content-Length, Transfer-Encoding and Connection.
func (p *Parser) parseHeader(line []byte) error {
	name, value, err := splitField(line)
	if err != nil {
		return err
	}
	// Only these headers matter; the others are checked but not read.
	switch len(name) {
	case len("content-length"):
		if equalFold(name, "content-length") {
			return p.onContentLength(trimOWS(value))
		}
	case len("transfer-encoding"):
		if equalFold(name, "transfer-encoding") {
			if p.http10 {
				// RFC 9112 6.1: the framing of such a message is faulty.
				return fmt.Errorf("%w: Transfer-Encoding in an HTTP/1.0 response", ErrBadResponse)
			}
			p.onTransferEncoding(value)
		}
	case len("connection"):
		if equalFold(name, "connection") {
			p.onConnection(value)
		}
	}
	return nil
}

// onContentLength accepts a decimal length, or a list of identical ones
// ("5, 5"), equal to any earlier Content-Length of the response.
func (p *Parser) onContentLength(value []byte) error {
	n, ok := parseDecimal(value) // the common case: one number
	if !ok {
		var err error
		if n, err = parseLengthList(value); err != nil {
			return err
		}
	}
	if p.hasCL && p.contentLength != n {
		return fmt.Errorf("%w: conflicting Content-Length %d and %d", ErrBadResponse, p.contentLength, n)
	}
	p.hasCL = true
	p.contentLength = n
	return nil
}

// parseLengthList reads a list of identical decimal lengths ("5, 5").
func parseLengthList(value []byte) (int64, error) {
	n := int64(-1)
	for len(value) > 0 || n < 0 {
		var elem []byte
		elem, value = nextElem(value)
		v, ok := parseDecimal(elem)
		if !ok || (n >= 0 && v != n) {
			return 0, fmt.Errorf("%w: Content-Length %q", ErrBadResponse, quote(elem))
		}
		n = v
	}
	return n, nil
}

// onTransferEncoding notes the codings; the body is chunked when the last
// coding of the last Transfer-Encoding header is "chunked".
func (p *Parser) onTransferEncoding(value []byte) {
	for len(value) > 0 {
		var elem []byte
		elem, value = nextElem(value)
		if len(elem) == 0 {
			continue
		}
		p.hasTE = true
		p.chunked = equalFold(elem, "chunked")
	}
}

// onConnection notes the "close" and "keep-alive" options.
func (p *Parser) onConnection(value []byte) {
	for len(value) > 0 {
		var elem []byte
		elem, value = nextElem(value)
		switch {
		case equalFold(elem, "close"):
			p.connClose = true
		case equalFold(elem, "keep-alive"):
			p.connKeepAlive = true
		}
	}
}

// parseChunkSize reads "HEX [BWS ; extensions]" and moves to the chunk's
// data, or to the trailers after the last chunk.
func (p *Parser) parseChunkSize(line []byte) error {
	var size int64
	k := 0
	for ; k < len(line); k++ {
		v, ok := hexValue(line[k])
		if !ok {
			break
		}
		if k == maxChunkHexDigits {
			return fmt.Errorf("%w: chunk size %q too large", ErrBadResponse, quote(line))
		}
		size = size<<4 | int64(v)
	}
	rest := trimOWS(line[k:])
	if k == 0 || (len(rest) > 0 && rest[0] != ';') {
		return fmt.Errorf("%w: chunk-size line %q", ErrBadResponse, quote(line))
	}
	p.tokenBytes = 0
	if size == 0 {
		p.state = stTrailers
		return nil
	}
	p.state = stChunkData
	p.remaining = size
	return nil
}

// nextElem splits a comma-separated list: it returns the first element
// without surrounding whitespace and the rest after the comma.
func nextElem(b []byte) (elem, rest []byte) {
	c := bytes.IndexByte(b, ',')
	if c < 0 {
		return trimOWS(b), nil
	}
	return trimOWS(b[:c]), b[c+1:]
}

// trimOWS removes spaces and tabs at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares b with lower, which is lower-case ASCII, ignoring
// the case of ASCII letters in b.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseDecimal reads a non-negative decimal number of at most 18 digits.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > maxDecimalDigits {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hexValue returns the value of a hexadecimal digit.
func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// quote returns at most badQuoteLen bytes of b for an error message.
func quote(b []byte) []byte {
	if len(b) > badQuoteLen {
		return b[:badQuoteLen]
	}
	return b
}
