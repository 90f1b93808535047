package plots

import "errors"

// Errors of chart drawing, wrapped with %w and what they are about.
var (
	// ErrFormat means the output file's extension names no supported format.
	ErrFormat = errors.New("plots: unsupported chart format (use .png or .svg)")
	// ErrNoData means there is nothing to draw.
	ErrNoData = errors.New("plots: no data to plot")
)
