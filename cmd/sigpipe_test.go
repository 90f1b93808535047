package cmd

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// demo --tls | head -1: the reader of stdout goes after one line. nowait
// stops there, as a Ctrl-C stops it, and removes the temporary file of
// the target's certificate on the way out, which a death by SIGPIPE left
// behind; it says so in one line and exits 1. (It stops at
// its first write after the close: at once, or, when the line before the
// run was already in the pipe, at the end of the run.)
func TestDemoCleansUpWhenStdoutCloses(t *testing.T) {
	tmp := t.TempDir()
	c := exec.Command(binPath, "demo", "--tls", "-c", "2", "-d", "2s")
	c.Env = append(os.Environ(), "TMPDIR="+tmp)
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	c.Stderr = &stderr
	start := time.Now()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "Built-in target listening on https://") {
		t.Fatalf("first line %q, %v", line, err)
	}
	stdout.Close() // as head -1 exits
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = c.Process.Kill()
		t.Fatal("demo did not end within 15 s of its stdout closing")
	}
	t.Logf("ended %s after it started", time.Since(start).Round(time.Millisecond))
	if code := c.ProcessState.ExitCode(); code != ExitRunFailed {
		t.Errorf("exit code %d (%s); want %d, as interrupted\nstderr: %s", code, c.ProcessState, ExitRunFailed, stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "nowait-target-*.pem")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if want := "nowait: standard output closed (broken pipe); stopped\n"; !strings.HasSuffix(stderr.String(), want) || strings.Count(stderr.String(), "nowait:") != 1 {
		t.Errorf("stderr %q: want one line, %q", stderr.String(), want)
	}
}
