package threaded

import "errors"

// Errors of the sync mode.
var (
	// ErrThreadLimit means the OS would not give the run one thread per
	// connection; the message says how many it can have and which limit
	// stops it.
	ErrThreadLimit = errors.New("threaded: the OS allows fewer threads than connections")
	// ErrBind means a connection's socket could not be bound to its
	// source address; it is counted as addr_not_available.
	ErrBind = errors.New("threaded: cannot bind the source address")
	// ErrStopFd means the eventfd that wakes sleeping threads on stop
	// could not be created; the run does not start.
	ErrStopFd = errors.New("threaded: cannot create the stop eventfd")
)
