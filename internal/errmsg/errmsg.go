// Package errmsg makes errors whose text is a whole sentence for the
// user and which still wrap the sentinels (and causes) that errors.Is
// looks for: "port 8080 is in use; pick another" rather than
// "target: listen: ...: bind: address already in use".
package errmsg

import "fmt"

// wrapped is an error whose text is msg alone and which wraps err. Why a
// type of its own for one error: callers flatten errors.Join's lists,
// found by Unwrap() []error, into lines, and must not take this for one.
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

// wrappedMany is wrapped for a sentinel and its cause.
type wrappedMany struct {
	msg  string
	errs []error
}

func (e *wrappedMany) Error() string   { return e.msg }
func (e *wrappedMany) Unwrap() []error { return e.errs }

// New returns an error whose text is msg and which wraps errs (a
// sentinel, and the error that caused it when there is one).
func New(msg string, errs ...error) error {
	if len(errs) == 1 {
		return &wrapped{msg, errs[0]}
	}
	return &wrappedMany{msg, errs}
}

// Errorf returns an error whose text is the formatted message and which
// wraps sentinel.
func Errorf(sentinel error, format string, args ...any) error {
	return &wrapped{fmt.Sprintf(format, args...), sentinel}
}
