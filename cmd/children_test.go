package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startGroup starts the built binary in a process group of its own, as a
// shell starts a foreground job, with its stdout and stderr captured.
func startGroup(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	c := exec.Command(binPath, args...)
	var out, errb syncBuffer
	c.Stdout, c.Stderr = &out, &errb
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill() }) // a no-op once it has been waited for
	return c, &out, &errb
}

// waitFor polls until buf holds want, failing after limit.
func waitFor(t *testing.T, buf *syncBuffer, want string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s; got:\n%s", want, limit, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for c to exit within limit and returns its exit code.
func waitExit(t *testing.T, c *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
		return c.ProcessState.ExitCode()
	case <-time.After(limit):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("%v did not exit within %s", c.Args[1:], limit)
		return -1
	}
}

// interruptGroup sends SIGINT to c's whole process group, as Ctrl-C at a
// terminal does.
func interruptGroup(t *testing.T, c *exec.Cmd) {
	t.Helper()
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// errorsLine returns the line of a printed summary that counts errors.
func errorsLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Errors") {
			return l
		}
	}
	return ""
}

// TestCtrlCReachesDemoNotItsTarget sends SIGINT to demo's process group
// mid-run: demo stops and reports, and the target, out of that group,
// went on answering until the client had finished, so no error shows.
func TestCtrlCReachesDemoNotItsTarget(t *testing.T) {
	c, out, errb := startGroup(t, "demo", "-d", "20s", "-c", "10")
	waitFor(t, out, "Built-in target listening on", 10*time.Second)
	time.Sleep(time.Second)
	interruptGroup(t, c)
	code := waitExit(t, c, 15*time.Second)
	stdout := out.String()
	if code != ExitRunFailed || !strings.Contains(stdout, "Interrupted") {
		t.Fatalf("exit %d, want %d and the results so far\nstdout: %s\nstderr: %s", code, ExitRunFailed, stdout, errb.String())
	}
	if line := errorsLine(stdout); !strings.Contains(line, "none") {
		t.Fatalf("errors line %q: the target died before the client stopped\n%s", line, stdout)
	}
}

// childrenOf returns the pids of the processes whose parent is pid.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process has gone
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ')'.
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			kids = append(kids, kid)
		}
	}
	return kids
}

// alive says whether pid runs (a zombie does not).
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// TestDemoTargetDiesWithDemo kills demo with SIGKILL, which it cannot
// catch: its target child must not be left running.
func TestDemoTargetDiesWithDemo(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	c, out, _ := startGroup(t, "demo", "-d", "20s", "-c", "2")
	waitFor(t, out, "Built-in target listening on", 10*time.Second)
	kids := childrenOf(t, c.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("demo has %d children %v, want its target", len(kids), kids)
	}
	target := kids[0]
	t.Cleanup(func() { _ = syscall.Kill(target, syscall.SIGKILL) }) // if the test fails, leave nothing behind
	if err := c.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, c, 5*time.Second)
	deadline := time.Now().Add(3 * time.Second)
	for alive(target) {
		if time.Now().After(deadline) {
			t.Fatalf("the target (pid %d) still runs 3 s after demo was killed", target)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCtrlCStopsCompareAndSaysSo interrupts compare's process group
// during its second cell: the cell in progress still reports, marked as
// cut short, compare.json says interrupted, and the exit code is 1. The
// built-in target, out of the group, served the cut-short cell to its
// end: no errors.
func TestCtrlCStopsCompareAndSaysSo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cmp")
	c, out, errb := startGroup(t, "compare", "--modes", "async", "--connections", "2,4", "-d", "3s", "--pause", "100ms", "--out", dir)
	waitFor(t, out, "\nasync          2 ", 15*time.Second)
	time.Sleep(time.Second) // into the second cell
	interruptGroup(t, c)
	code := waitExit(t, c, 15*time.Second)
	stdout, stderr := out.String(), errb.String()
	if code != ExitRunFailed {
		t.Fatalf("exit %d after Ctrl-C, want %d\nstdout: %s\nstderr: %s", code, ExitRunFailed, stdout, stderr)
	}
	if !strings.Contains(stdout, "\nasync*         4 ") || !strings.Contains(stdout, "Interrupted: 2 of 2 cells ran") ||
		!strings.Contains(stderr, "nowait: interrupted") {
		t.Fatalf("the table does not say the second cell was cut short\nstdout: %s\nstderr: %s", stdout, stderr)
	}
	r := readCompare(t, dir)
	if !r.Interrupted || len(r.Cells) != 2 {
		t.Fatalf("compare.json: interrupted %v, %d cells; want true and 2", r.Interrupted, len(r.Cells))
	}
	first, cut := r.Cells[0], r.Cells[1]
	if first.Interrupted || first.Error != "" || first.Summary == nil || first.Summary.Interrupted {
		t.Fatalf("first cell: %+v", first)
	}
	if !cut.Interrupted || cut.Error != "" || cut.Summary == nil || cut.Summary.Responses == 0 || cut.Summary.DurationSec > 2.5 {
		t.Fatalf("cut-short cell: %+v", cut)
	}
	if cut.Summary.ErrorTotal != 0 {
		t.Fatalf("the cut-short cell counted errors %v: its target died first", cut.Summary.Errors)
	}
}

// TestCompareAndDemoCheckFlagsFirst: bad flags are one line and exit 2
// before a target starts or a cell runs.
func TestCompareAndDemoCheckFlagsFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []badInput{
		{name: "compare zero pipeline", args: []string{"compare", "--pipeline", "0", "-d", "200ms"}, want: []string{"--pipeline must be at least 1, got 0"}},
		{name: "compare zero duration", args: []string{"compare", "-d", "0"}, want: []string{"--duration must be positive, got 0s; leave it out for the default 3s"}},
		{name: "compare negative duration", args: []string{"compare", "-d", "-1s"}, want: []string{"--duration must be positive, got -1s"}},
		{name: "compare not a url", args: []string{"compare", "notaurl"}, want: []string{`URL "notaurl" has no scheme`}},
		{name: "compare negative pause", args: []string{"compare", "--pause", "-1s"}, want: []string{"--pause must be 0 or more", "-1s"}},
		{name: "compare negative loops", args: []string{"compare", "-t", "-1"}, want: []string{"-t/--loops must be at least 1, got -1"}},
		{name: "compare mode twice", args: []string{"compare", "--modes", "async,async"}, want: []string{"--modes lists async twice"}},
		{name: "compare count twice", args: []string{"compare", "--connections", "10,10"}, want: []string{"--connections lists 10 twice"}},
		{name: "compare two urls", args: []string{"compare", "a", "b"}, want: []string{"compare takes at most one URL", "got 2 arguments: a b"}},
		{name: "compare out is a file", args: []string{"compare", "-d", "200ms", "--out", file}, want: []string{"--out " + file + " is a file; want a directory"}},
		{name: "demo an argument", args: []string{"demo", "x"}, want: []string{"demo takes no arguments, got 1 argument "}},
		{name: "demo zero connections", args: []string{"demo", "-c", "0"}, want: []string{"-c/--connections must be at least 1, got 0"}},
		{name: "demo zero pipeline", args: []string{"demo", "--pipeline", "0"}, want: []string{"--pipeline must be at least 1, got 0"}},
		{name: "demo bogus mode", args: []string{"demo", "--mode", "bogus"}, want: []string{`unknown mode "bogus"`}},
		{name: "demo negative duration", args: []string{"demo", "-d", "-1s"}, want: []string{"--duration must be positive, got -1s"}},
		{name: "demo zero duration", args: []string{"demo", "-d", "0"}, want: []string{"--duration must be positive, got 0s; leave it out for the default 5s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			stdout, stderr, code := runBin(t, tc.args...)
			if code != ExitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || time.Since(start) > 2*time.Second {
				t.Fatalf("%v: exit %d in %s, stdout %q, stderr %q; want exit 2 at once, nothing on stdout, one line",
					tc.args, code, time.Since(start).Round(time.Millisecond), stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%v: stderr %q lacks %q", tc.args, stderr, w)
				}
			}
		})
	}
}

// TestCompareStopsWhenNothingConnects: against a port nothing listens on,
// compare runs one cell, not the matrix, and says why it stopped.
func TestCompareStopsWhenNothingConnects(t *testing.T) {
	addr := closedPort(t)
	dir := filepath.Join(t.TempDir(), "cmp")
	stdout, stderr, code := runBin(t, "compare", "http://"+addr+"/", "-d", "300ms", "--pause", "10ms", "--out", dir)
	want := "nowait: no connection could be made to " + addr + ": connection refused; stopped after the first cell\n"
	if code != ExitRunFailed || stderr != want {
		t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, ExitRunFailed, want)
	}
	if n := strings.Count(stdout, "failed: no connection could be made"); n != 1 {
		t.Fatalf("%d failed rows, want 1:\n%s", n, stdout)
	}
	var r CompareReport
	data, err := os.ReadFile(filepath.Join(dir, "compare.json"))
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err != nil || len(r.Cells) != 1 || r.Interrupted {
		t.Fatalf("compare.json: %v, %d cells, interrupted %v; want 1 cell", err, len(r.Cells), r.Interrupted)
	}
}
