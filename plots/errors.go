package plots

import (
	"errors"
	"fmt"
)

// Errors of chart drawing, each wrapped by an error whose text says what
// it is about in one line for the user (the sentinel's own text is not
// part of it), so callers test them with errors.Is.
var (
	// ErrFormat means the output file's extension names no supported format.
	ErrFormat = errors.New("plots: unsupported chart format (use .png or .svg)")
	// ErrNoData means there is nothing to draw.
	ErrNoData = errors.New("plots: no data to plot")
)

// wrapped is an error whose text is msg alone and which wraps a
// sentinel: the message reads as one sentence, and errors.Is still
// finds the sentinel.
type wrapped struct {
	sentinel error
	msg      string
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.sentinel }

// errorf returns the formatted message wrapping sentinel (see wrapped).
func errorf(sentinel error, format string, args ...any) error {
	return &wrapped{sentinel, fmt.Sprintf(format, args...)}
}
