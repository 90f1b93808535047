package threaded

import "errors"

// Errors of the sync mode.
var (
	// ErrThreadLimit means the OS would not give the run one thread per
	// connection; the message says how many it can have and which limit
	// stops it.
	ErrThreadLimit = errors.New("threaded: the OS allows fewer threads than connections")
)
