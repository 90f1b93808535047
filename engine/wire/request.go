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

// EncodeRequest returns the bytes of an HTTP/1.1 request. It adds Host
// (unless given), User-Agent (unless given) and Content-Length when there
// is a body or the method usually has one (unless given). The result is
// written as is for every request of a run.
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
	has := func(name string) bool {
		for _, h := range headers {
			if strings.EqualFold(h.Name, name) {
				return true
			}
		}
		return false
	}
	if !has("Host") {
		b.WriteString("Host: ")
		b.WriteString(host)
		b.WriteString("\r\n")
	}
	if !has("User-Agent") {
		b.WriteString("User-Agent: nowait\r\n")
	}
	for _, h := range headers {
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	if !has("Content-Length") && !has("Transfer-Encoding") &&
		(len(body) > 0 || method == "POST" || method == "PUT" || method == "PATCH") {
		b.WriteString("Content-Length: ")
		b.WriteString(strconv.Itoa(len(body)))
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return []byte(b.String())
}
