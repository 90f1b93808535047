// Package stats records what a run measured: HdrHistogram latency
// histograms, counters by status and error kind, per-second intervals, and
// the generator's own cost. It imports nothing of nowait's.
package stats

// ErrorKind classifies a failed request or connection. A failure is data,
// counted under its kind, never a Go error on the hot path.
type ErrorKind uint8

// The error kinds every engine counts. Keep errorKindNames in step.
const (
	ErrConnectRefused ErrorKind = iota // connect: ECONNREFUSED
	ErrConnectTimeout                  // connect did not finish within the connect timeout
	ErrConnect                         // connect failed for another reason
	ErrAddrNotAvail                    // no local address or ephemeral port left (EADDRNOTAVAIL)
	ErrTooManyFiles                    // the process or system is out of file descriptors
	ErrTLSHandshake                    // the TLS handshake failed (certificate, protocol, peer)
	ErrReset                           // the peer reset the connection
	ErrRead                            // read failed, or the peer closed mid-response
	ErrWrite                           // write failed
	ErrTimeout                         // no complete response within the request timeout
	ErrBadResponse                     // the response was not valid HTTP/1.1
	ErrHeaderTooLarge                  // the response header exceeded the client's cap
	NumErrorKinds                      // the number of kinds; not a kind
)

var errorKindNames = [NumErrorKinds]string{
	"connect_refused",
	"connect_timeout",
	"connect_error",
	"addr_not_available",
	"too_many_files",
	"tls_handshake",
	"reset",
	"read_error",
	"write_error",
	"timeout",
	"bad_response",
	"header_too_large",
}

// String returns the kind's snake_case name, as used in summary.json.
func (k ErrorKind) String() string {
	if k < NumErrorKinds {
		return errorKindNames[k]
	}
	return "unknown"
}

// ErrorKindByName returns the kind with the given snake_case name.
func ErrorKindByName(name string) (ErrorKind, bool) {
	for i, n := range errorKindNames {
		if n == name {
			return ErrorKind(i), true
		}
	}
	return 0, false
}

// IsConnectError reports whether the kind is a failure to establish a
// connection rather than a failure of a request on an open one.
func (k ErrorKind) IsConnectError() bool {
	return k <= ErrTLSHandshake
}
