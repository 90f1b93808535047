package stats

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file that cannot be created is reported under its own name and
// directory, never the temporary name it would have been written to.
func TestWriteFileAtomicNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodir", "x.png")
	err := WriteFileAtomic(path, func(io.Writer) error { return nil })
	if !errors.Is(err, ErrWriteFile) || !strings.Contains(err.Error(), path+": cannot create a file in "+filepath.Dir(path)) ||
		!strings.Contains(err.Error(), "no such file or directory") || strings.Contains(err.Error(), ".tmp-") {
		t.Fatalf("error %v", err)
	}
}

// PathErrCause keeps the cause of a failed file operation and drops the
// operation and path, which the caller's message names its own way.
func TestPathErrCause(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	_, statErr := os.Stat(missing)
	linkErr := os.Rename(missing, missing+".2")
	plain := errors.New("plain")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"path error", statErr, "no such file or directory"},
		{"wrapped path error", fmt.Errorf("reading: %w", statErr), "no such file or directory"},
		{"link error", linkErr, "no such file or directory"},
		{"other error", plain, "plain"},
	}
	for _, c := range cases {
		got := PathErrCause(c.err)
		if got == nil || got.Error() != c.want {
			t.Errorf("%s: PathErrCause(%v) = %v, want %q", c.name, c.err, got, c.want)
		}
	}
	if PathErrCause(nil) != nil {
		t.Error("PathErrCause(nil) is not nil")
	}
}
