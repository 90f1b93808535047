package target

import "errors"

// Sentinel errors of the target; callers match them with errors.Is.
var (
	// ErrConfig wraps every problem Config.Validate finds.
	ErrConfig = errors.New("target: invalid config")
	// ErrListen wraps a failure to listen on the asked address.
	ErrListen = errors.New("target: listen")
	// ErrTLS wraps a failure to make the TLS target's certificate.
	ErrTLS = errors.New("target: TLS certificate")
)
