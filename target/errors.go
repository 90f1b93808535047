package target

import (
	"errors"
	"fmt"
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

// wrapped is an error whose text is msg alone and which wraps a sentinel
// and, when there is one, the error that caused it: the message reads as
// one sentence, and errors.Is still finds both.
type wrapped struct {
	msg  string
	errs []error
}

func (e *wrapped) Error() string   { return e.msg }
func (e *wrapped) Unwrap() []error { return e.errs }

// errorf returns the formatted message wrapping sentinel (see wrapped).
func errorf(sentinel error, format string, args ...any) error {
	return &wrapped{fmt.Sprintf(format, args...), []error{sentinel}}
}

// causedBy returns the formatted message wrapping sentinel and cause.
func causedBy(sentinel, cause error, format string, args ...any) error {
	return &wrapped{fmt.Sprintf(format, args...), []error{sentinel, cause}}
}
