package wire

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

func TestEncodeRequest(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		uri     string
		host    string
		headers []Header
		body    string
		want    string
	}{
		{name: "get", method: "GET", uri: "", host: "127.0.0.1:8080",
			want: "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: nowait\r\n\r\n"},
		{name: "headers override", method: "GET", uri: "/a?b=c", host: "h",
			headers: []Header{{"host", "other"}, {"User-Agent", "me"}, {"Accept", "*/*"}},
			want:    "GET /a?b=c HTTP/1.1\r\nhost: other\r\nUser-Agent: me\r\nAccept: */*\r\n\r\n"},
		{name: "post without body", method: "POST", uri: "/p", host: "h",
			want: "POST /p HTTP/1.1\r\nHost: h\r\nUser-Agent: nowait\r\nContent-Length: 0\r\n\r\n"},
		{name: "put with body", method: "PUT", uri: "/p", host: "h", body: `{"a":1}`,
			want: "PUT /p HTTP/1.1\r\nHost: h\r\nUser-Agent: nowait\r\nContent-Length: 7\r\n\r\n{\"a\":1}"},
		{name: "given length", method: "POST", uri: "/p", host: "h", body: "xy",
			headers: []Header{{"content-length", "2"}},
			want:    "POST /p HTTP/1.1\r\nHost: h\r\nUser-Agent: nowait\r\ncontent-length: 2\r\n\r\nxy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			got := EncodeRequest(tc.method, tc.uri, tc.host, tc.headers, body)
			if string(got) != tc.want {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
			// An independent parser reads the same request and body.
			req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(got)))
			if err != nil {
				t.Fatalf("net/http cannot read it: %v", err)
			}
			b, err := io.ReadAll(req.Body)
			if err != nil || string(b) != tc.body || req.Method != tc.method {
				t.Fatalf("net/http read %s with body %q (%v)", req.Method, b, err)
			}
		})
	}
}
