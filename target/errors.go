package target

import (
	"errors"
)

// Sentinel errors of the target; callers match them with errors.Is. Each
// is wrapped by an error whose text says what went wrong in one line for
// the user (the sentinel's own text is not part of it).
var (
	// ErrConfig wraps every problem Config.Validate finds.
	ErrConfig = errors.New("target: invalid config")
	// ErrListen wraps a failure to listen on the asked address, and the
	// system's error (errors.Is(err, syscall.EADDRINUSE) holds).
	ErrListen = errors.New("target: listen")
	// ErrTLS wraps a failure to make the TLS target's certificate.
	ErrTLS = errors.New("target: TLS certificate")
)
