package stats

import (
	"errors"
	"io"
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
