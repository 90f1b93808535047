package testchild

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

const echoEnv = "NOWAIT_TESTCHILD_ECHO"

// TestEchoChild is the child of TestStartTalksAndEnds: it prints a line
// of noise and a greeting, then echoes each line of its input until the
// input ends.
func TestEchoChild(t *testing.T) {
	if !Enabled(echoEnv) {
		t.Skip("the child of TestStartTalksAndEnds")
	}
	fmt.Println("noise")
	fmt.Println("ready 42")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println("echo " + in.Text())
	}
}

func TestStartTalksAndEnds(t *testing.T) {
	stdin, out := Start(t, "TestEchoChild", echoEnv, 10*time.Second)
	if got := Line(t, out, "ready "); got != "42" {
		t.Fatalf("first line after the noise: %q, want 42", got)
	}
	if _, err := io.WriteString(stdin, "hello\n"); err != nil {
		t.Fatal(err)
	}
	if got := Line(t, out, "echo "); got != "hello" {
		t.Fatalf("echo %q, want hello", got)
	}
	// The cleanup closes the child's input: it ends, and a failure there
	// would fail this test.
}
