package plots

import (
	"errors"
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
