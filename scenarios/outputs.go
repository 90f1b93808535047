package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/stats"
)

// wantOutDir and wantJUnit say what an output path should be.
const (
	wantOutDir = "want a directory nowait can create or write into"
	wantJUnit  = "want a file in a directory nowait can create or write into"
)

// checkOutDir says what would stop a run from writing its result files
// into dir, as the run checks it before any load, without creating or
// changing anything: "" when nothing would.
func checkOutDir(dir string) string {
	if msg := dirProblem(dir); msg != "" {
		return dir + " " + msg + "; " + wantOutDir
	}
	return ""
}

// checkJUnitPath says what would stop a run from writing its JUnit
// report to path: "" when nothing would. A device or a pipe
// (/dev/stdout) is written in place.
func checkJUnitPath(path string) string {
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return ""
	}
	if (err == nil && fi.IsDir()) || strings.HasSuffix(path, "/") {
		return path + " is a directory; want a file name such as " + filepath.Join(path, "junit.xml")
	}
	if msg := dirProblem(filepath.Dir(path)); msg != "" {
		return path + ": its directory " + filepath.Dir(path) + " " + msg + "; " + wantJUnit
	}
	return ""
}

// dirProblem says why dir could not be created or written into, in the
// words of the run's own check ("is a file, not a directory", "cannot be
// created: ...", "cannot be written into: ..."), or "" when it could. It
// looks and asks the kernel (access(2)); it creates nothing.
func dirProblem(dir string) string {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return "is a file, not a directory"
	case err == nil:
		if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
			return "cannot be written into: " + err.Error()
		}
		return ""
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTDIR):
		return "cannot be used: " + stats.PathErrCause(err).Error()
	}
	// Missing: the run would create it, under its nearest existing parent.
	parent := filepath.Dir(filepath.Clean(dir))
	for {
		fi, err := os.Stat(parent)
		switch {
		case err == nil && !fi.IsDir():
			return "cannot be created: " + parent + " is a file, not a directory"
		case err == nil:
			if err := unix.Access(parent, unix.W_OK|unix.X_OK); err != nil {
				return "cannot be created: " + parent + ": " + err.Error()
			}
			return ""
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTDIR):
			return "cannot be created: " + stats.PathErrCause(err).Error()
		}
		next := filepath.Dir(parent)
		if next == parent {
			return "" // nothing of the path exists, not even its root: let the run say
		}
		parent = next
	}
}
