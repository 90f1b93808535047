package stats

import "errors"

// Errors of the result files. Each is wrapped with %w and the path it is
// about, so callers test them with errors.Is.
var (
	// ErrOutNotDir means the output path exists and is not a directory.
	ErrOutNotDir = errors.New("stats: output path is not a directory")
	// ErrWriteFile means a result file could not be written.
	ErrWriteFile = errors.New("stats: cannot write result file")
	// ErrNoResults means a directory holds no nowait results (no summary.json).
	ErrNoResults = errors.New("stats: no nowait results in directory")
	// ErrSchema means a summary.json was written with another schema version.
	ErrSchema = errors.New("stats: unsupported summary schema version")
	// ErrCorrupt means a result file exists but cannot be parsed.
	ErrCorrupt = errors.New("stats: result file is damaged")
)
