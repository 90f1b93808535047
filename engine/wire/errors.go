package wire

import "errors"

// Errors returned by Parser. The parser wraps them with a short detail, so
// compare with errors.Is.
var (
	// ErrBadResponse means the bytes received are not a valid HTTP/1.1
	// response.
	ErrBadResponse = errors.New("wire: bad response")
	// ErrHeaderTooLarge means a response's header block or trailer section
	// is longer than the parser's maximum header size.
	ErrHeaderTooLarge = errors.New("wire: response header too large")
	// ErrTLSRecord means a response began with a TLS record (see
	// IsTLSRecord): the server speaks TLS, and the request went as plain
	// HTTP. The parser wraps it in ErrBadResponse.
	ErrTLSRecord = errors.New("wire: a TLS record where the status line should be (the server speaks TLS)")
	// ErrIncomplete means the peer closed the connection in the middle of
	// a response.
	ErrIncomplete = errors.New("wire: connection closed mid-response")
)
