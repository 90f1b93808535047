package stats

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileAtomicKeepsPipesAndLinks: a result written to a named pipe
// (as to /dev/null or /dev/stdout) goes through the pipe, which stays a
// pipe; one written to a symbolic link replaces the file it points to and
// leaves the link. Renaming over either would have replaced it with a
// regular file.
func TestWriteFileAtomicKeepsPipesAndLinks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until the writer opens the pipe
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		_ = f.Close()
		got <- string(b)
	}()
	if err := WriteFileAtomic(fifo, func(w io.Writer) error { _, err := io.WriteString(w, "through the pipe"); return err }); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "through the pipe" {
			t.Fatalf("the pipe's reader got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing was written through the pipe in 5 s")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe is no longer a pipe: %v %v", fi.Mode(), err)
	}

	target := filepath.Join(dir, "real.xml")
	link := filepath.Join(dir, "link.xml")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is no longer a link: %v %v", fi.Mode(), err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "new" {
		t.Fatalf("the linked file holds %q (%v), want new", b, err)
	}
}
