package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// netHTTPResponses reads the responses of data with net/http, an
// independent parser, skipping 1xx but 101 as Parser does. It stops at the
// first error or after 101.
func netHTTPResponses(data []byte, head bool) []resp {
	method := http.MethodGet
	if head {
		method = http.MethodHead
	}
	r := bufio.NewReader(bytes.NewReader(data))
	var out []resp
	for {
		res, err := http.ReadResponse(r, &http.Request{Method: method})
		if err != nil {
			return out
		}
		n, err := io.Copy(io.Discard, res.Body)
		if err != nil {
			return out
		}
		if res.StatusCode >= 100 && res.StatusCode < 200 && res.StatusCode != 101 {
			continue
		}
		out = append(out, resp{status: res.StatusCode, bodyLen: n, keepAlive: !res.Close})
		if res.StatusCode == 101 {
			return out
		}
	}
}

// agreeWithNetHTTP checks that where both parsers completed a response,
// they agree on its status, its body length and, but for 101 (which
// net/http leaves to the headers), whether the connection stays open.
func agreeWithNetHTTP(ours []resp, data []byte, head bool) error {
	theirs := netHTTPResponses(data, head)
	for i := range min(len(ours), len(theirs)) {
		o, h := ours[i], theirs[i]
		if o.status != h.status || o.bodyLen != h.bodyLen || (o.status != 101 && o.keepAlive != h.keepAlive) {
			return fmt.Errorf("response %d: ours %+v, net/http %+v", i, o, h)
		}
	}
	return nil
}
