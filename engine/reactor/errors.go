package reactor

import "errors"

// Errors of the reactor package. A failed request or connect is counted in
// the Result, never returned; these are for a run that cannot go on.
var (
	// ErrPoller means the OS refused an epoll or eventfd operation the
	// event loop cannot work without.
	ErrPoller = errors.New("reactor: event poller failed")
	// ErrMix means the plan's requests could not be laid out for sending.
	ErrMix = errors.New("reactor: cannot lay out the requests")
)
