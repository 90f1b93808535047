// Package testchild runs one test of the current test binary as a child
// process. Tests that measure what holding many connections costs put the
// accepting side in a child, so that each process needs only its own share
// of the open-file limit and the measured process's memory is its own.
//
// The child is a test that skips unless an environment variable is set; it
// prints what the parent needs (an address, say) on its standard output and
// ends when its standard input closes.
package testchild

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// waitAfterClose is how long a child may take to end once its standard
// input closed, before it is killed.
const waitAfterClose = 5 * time.Second

// Start re-executes the test binary to run only the test named test, with
// env=1 in its environment, and returns the child's standard input and a
// scanner over its standard output. At the test's cleanup it closes the
// child's standard input, which tells the child to end, and waits for it
// (killing it after 5 s); a child that failed fails the test. A child still
// running after life is killed, so that a stuck child cannot hang the test
// that reads from it.
func Start(t testing.TB, test, env string, life time.Duration) (io.Writer, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s as a child: %v", test, err)
	}
	stuck := time.AfterFunc(life, func() { _ = cmd.Process.Kill() })
	t.Cleanup(func() {
		stuck.Stop()
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("child %s: %v", test, err)
			}
		case <-time.After(waitAfterClose):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("child %s did not end within %v of its input closing", test, waitAfterClose)
		}
	})
	return stdin, bufio.NewScanner(stdout)
}

// Line returns the rest of the child's next line that starts with prefix,
// skipping other lines; it fails the test if the child's output ends first.
func Line(t testing.TB, sc *bufio.Scanner, prefix string) string {
	t.Helper()
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			return rest
		}
	}
	t.Fatalf("the child's output ended before a line %q: %v", prefix, sc.Err())
	return ""
}

// Enabled reports whether this process was started by Start with env set:
// the child test then serves; otherwise it skips.
func Enabled(env string) bool { return os.Getenv(env) == "1" }
