package engine

import "errors"

// Errors of the engine package.
var (
	// ErrInvalidPlan means the plan cannot be run as given.
	ErrInvalidPlan = errors.New("engine: invalid plan")
	// ErrUnsupported means the mode cannot do what the plan asks (TLS in
	// the reactor, say); the message names the mode that can.
	ErrUnsupported = errors.New("engine: not supported in this mode")
)
