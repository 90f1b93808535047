package target

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestHeadHasTheHeadersOfGet sends HEAD, GET and HEAD again (the last with
// "Connection: close") on one connection, pipelined, for paths with and
// without a body, and checks on the raw bytes that each HEAD response is
// the head of the GET response, Content-Length included, with no body
// bytes after it (RFC 9110 9.3.2).
func TestHeadHasTheHeadersOfGet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		paths []string
	}{
		{"default", Config{}, []string{"/", "/status/200", "/status/503", "/status/404", "/status/204", "/status/304", "/status/999"}},
		{"empty body", Config{EmptyBody: true}, []string{"/", "/status/503"}},
		{"fault 503", Config{Faults: []Fault{{Fault503, 100}}}, []string{"/", "/status/404"}},
	} {
		s := start(t, tc.cfg)
		for _, path := range tc.paths {
			c := dial(t, s, 2*time.Second)
			req := func(method, extra string) string {
				return method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n"
			}
			if _, err := io.WriteString(c, req("HEAD", "")+req("GET", "")+req("HEAD", "Connection: close\r\n")); err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(c) // the last HEAD closes the connection
			if err != nil {
				t.Fatalf("%s %s: %v after %q", tc.name, path, err, data)
			}
			headOfHead, rest, ok := bytes.Cut(data, []byte("\r\n\r\n"))
			if !ok || !bytes.HasPrefix(rest, []byte("HTTP/1.1 ")) {
				t.Fatalf("%s HEAD %s: %q; want a head and then the GET's response, no body between", tc.name, path, data)
			}
			headOfGet, rest, _ := bytes.Cut(rest, []byte("\r\n\r\n"))
			if !bytes.Equal(headOfHead, headOfGet) {
				t.Errorf("%s %s: HEAD answered\n%s\nGET answered\n%s", tc.name, path, headOfHead, headOfGet)
			}
			n := contentLength(append(headOfGet, "\r\n"...))
			if len(rest) < n {
				t.Fatalf("%s GET %s: %d body bytes; want %d", tc.name, path, len(rest), n)
			}
			last := rest[n:]
			if !bytes.HasSuffix(last, []byte("\r\n\r\n")) || bytes.Count(last, []byte("\r\n\r\n")) != 1 {
				t.Fatalf("%s last HEAD %s: %q; want one head and nothing after it", tc.name, path, last)
			}
		}
	}
}
