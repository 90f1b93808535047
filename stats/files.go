package stats

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/nowait/nowait/internal/errmsg"
)

// The files of a result directory (`--out DIR`).
//
//	summary.json     Summarize(res), for people and CI (schema SchemaVersion)
//	latency.hlog     HdrHistogram interval log: one corrected-latency histogram per interval
//	histograms.hlog  HdrHistogram log of the whole-run histograms, tagged latency,
//	                 service, connect and send_lag: the exact record merge reads
//	latency.hgrm     percentile distribution of the corrected latency, as wrk2 --latency prints
//	timeseries.csv   per interval: counts, req/s, percentiles, open connections
//
// Histogram values are microseconds in both logs.
const (
	SummaryFile    = "summary.json"    // the Summary, indented JSON
	LatencyLogFile = "latency.hlog"    // per-interval corrected latency, HdrHistogram log
	HistLogFile    = "histograms.hlog" // whole-run histograms, tagged, HdrHistogram log
	HgrmFile       = "latency.hgrm"    // percentile distribution text, ms
	TimeseriesFile = "timeseries.csv"  // one row per interval
)

// WriteDir writes the result files of res into dir, creating dir if
// needed. Each file is written to a temporary name in dir and renamed, so a
// crash never leaves a half-written file under a result name.
func WriteDir(dir string, res *Result) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return errmsg.Errorf(ErrOutNotDir, "%s is a file, not a directory; want a directory nowait can create or write into", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		// A file somewhere on the path: "mkdir a/b: not a directory".
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
			return errmsg.Errorf(ErrOutNotDir, "%s cannot be created: %s; want a directory nowait can create or write into", dir, PathAndCause(err))
		}
		return errmsg.Errorf(ErrWriteFile, "%s cannot be created: %s", dir, PathAndCause(err))
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{SummaryFile, func(w io.Writer) error { return WriteSummary(w, Summarize(res)) }},
		{LatencyLogFile, func(w io.Writer) error { return WriteHlog(w, res) }},
		{HistLogFile, func(w io.Writer) error { return WriteHistLog(w, res) }},
		{HgrmFile, func(w io.Writer) error { return WriteHgrm(w, res.Latency) }},
		{TimeseriesFile, func(w io.Writer) error { return WriteTimeseries(w, res) }},
	}
	for _, f := range files {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

// WriteSummary writes s as indented JSON, the body of summary.json.
func WriteSummary(w io.Writer, s Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteFileAtomic writes path through write: to a temporary file in the
// same directory first, synced, then renamed over path. A path that is a
// symbolic link has the file it points to replaced, and a path that is not
// a regular file (/dev/null, /dev/stdout, a named pipe) is written in place:
// renaming over it would replace the device or pipe with a file.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return writeInPlace(path, write)
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		// Why not err itself: it names the temporary file, which the user
		// never asked for and which does not exist.
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: cannot create a file in %s: %v", path, dir, PathErrCause(err))
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()           // already failed; the first error is the one to report
			_ = os.Remove(tmp.Name()) // best effort: leave no temporary behind
		}
	}()
	if err = writeBuffered(tmp, write); err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, err)
	}
	if err = tmp.Close(); err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, PathErrCause(err))
	}
	return nil
}

// PathErrCause returns the cause of a failed file operation without the
// operation and path it names ("no such file or directory"), for a message
// that names the path once, its own way. Any other error is returned as
// it is. It is the one such helper of nowait: scenarios and cmd use it too.
func PathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// PathAndCause says which path a failed file operation stopped at and
// why, without the operation Go names: "mkdir a: not a directory" is "a
// is a file, not a directory", "mkdir /proc/x: no such file or
// directory" is "/proc/x: no such file or directory"; any other error
// as it is.
func PathAndCause(err error) string {
	var pe *fs.PathError
	switch {
	case !errors.As(err, &pe):
		return err.Error()
	case errors.Is(pe.Err, syscall.ENOTDIR):
		return pe.Path + " is a file, not a directory"
	}
	return pe.Path + ": " + pe.Err.Error()
}

// writeBuffered calls write with a buffer in front of w and flushes it.
func writeBuffered(w io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// writeInPlace writes path, a device or pipe that exists, through write.
func writeInPlace(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, PathErrCause(err))
	}
	err = writeBuffered(f, write)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errmsg.Errorf(ErrWriteFile, "cannot write %s: %v", path, err)
	}
	return nil
}
