// Package wire encodes HTTP/1.1 requests once and parses responses
// incrementally, in place, without allocating. It imports nothing of
// nowait's.
package wire

import (
	"strconv"
	"strings"
)

// Header is one request header for EncodeRequest.
type Header struct {
	Name, Value string
}

// EncodeRequest returns the bytes of an HTTP/1.1 request with the
// headers of RequestHeaders. The result is written as is for every
// request of a run.
func EncodeRequest(method, uri, host string, headers []Header, body []byte) []byte {
	var b strings.Builder
	b.Grow(64 + len(uri) + len(host) + len(body))
	b.WriteString(method)
	b.WriteByte(' ')
	if uri == "" {
		uri = "/"
	}
	b.WriteString(uri)
	b.WriteString(" HTTP/1.1\r\n")
	for _, h := range RequestHeaders(method, host, headers, body) {
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return []byte(b.String())
}

// RequestHeaders returns a request's headers in the order they are
// written: Host (unless given), User-Agent (unless given), the given
// ones as they are, then Content-Length when there is a body or the
// method usually has one (unless Content-Length or Transfer-Encoding is
// given).
func RequestHeaders(method, host string, headers []Header, body []byte) []Header {
	has := func(name string) bool {
		for _, h := range headers {
			if strings.EqualFold(h.Name, name) {
				return true
			}
		}
		return false
	}
	all := make([]Header, 0, len(headers)+3)
	if !has("Host") {
		all = append(all, Header{"Host", host})
	}
	if !has("User-Agent") {
		all = append(all, Header{"User-Agent", "nowait"})
	}
	all = append(all, headers...)
	if !has("Content-Length") && !has("Transfer-Encoding") &&
		(len(body) > 0 || method == "POST" || method == "PUT" || method == "PATCH") {
		all = append(all, Header{"Content-Length", strconv.Itoa(len(body))})
	}
	return all
}
