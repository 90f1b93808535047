package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// binPath is the nowait binary built once for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nowait-cli")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "nowait")
	build := exec.Command("go", "build", "-o", binPath, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building nowait: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBin runs the built binary and returns stdout, stderr and exit code.
func runBin(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	c := exec.Command(binPath, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// closedPort returns a loopback port with nothing listening on it.
func closedPort(t *testing.T) string { return enginetest.RefusingAddr(t) }

func TestBadInputExitsWithUsageError(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no url", []string{"run"}, ExitUsage, "takes a URL"},
		{"two urls", []string{"run", "http://127.0.0.1:1/", "http://127.0.0.1:2/"}, ExitUsage, "takes a URL"},
		{"malformed url", []string{"run", "http://%zz/"}, ExitUsage, "malformed URL"},
		{"no scheme", []string{"run", "127.0.0.1:8080/"}, ExitUsage, "scheme"},
		{"ftp scheme", []string{"run", "ftp://127.0.0.1/"}, ExitUsage, `unsupported scheme "ftp"`},
		{"port out of range", []string{"run", "http://127.0.0.1:99999/"}, ExitUsage, "out of range; want 1 to 65535"},
		{"zero connections", []string{"run", "http://127.0.0.1:1/", "-c", "0"}, ExitUsage, "--connections must be at least 1, got 0"},
		{"negative connections", []string{"run", "http://127.0.0.1:1/", "-c", "-3"}, ExitUsage, "at least 1, got -3"},
		{"negative duration", []string{"run", "http://127.0.0.1:1/", "-d", "-1s"}, ExitUsage, "--duration must be positive"},
		{"bad duration", []string{"run", "http://127.0.0.1:1/", "-d", "soon"}, ExitUsage, "soon"},
		{"negative requests", []string{"run", "http://127.0.0.1:1/", "-n", "-5"}, ExitUsage, "--requests must be positive"},
		{"zero pipeline", []string{"run", "http://127.0.0.1:1/", "--pipeline", "0"}, ExitUsage, "--pipeline must be at least 1"},
		{"bad header", []string{"run", "http://127.0.0.1:1/", "-H", "NoColon"}, ExitUsage, "'Name: value'"},
		{"unreadable body file", []string{"run", "http://127.0.0.1:1/", "--body-file", "/nonexistent/body.json"}, ExitUsage, "cannot read /nonexistent/body.json"},
		{"unknown mode", []string{"run", "http://127.0.0.1:1/", "--mode", "turbo"}, ExitUsage, `unknown mode "turbo"`},
		{"unknown flag", []string{"run", "http://127.0.0.1:1/", "--bogus"}, ExitUsage, "unknown flag: --bogus"},
		{"unknown command", []string{"fly"}, ExitUsage, `unknown command "fly"`},
		{"unresolvable host", []string{"run", "http://nosuch.invalid/", "-d", "1s"}, ExitRunFailed, `cannot resolve host "nosuch.invalid"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runBin(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Fatalf("stderr %q does not contain %q", stderr, tc.want)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 {
				t.Fatalf("error is %d lines, want one: %q", lines+1, stderr)
			}
		})
	}
}

func TestNothingListeningSaysSoAndExitsOne(t *testing.T) {
	addr := closedPort(t)
	stdout, stderr, code := runBin(t, "run", "http://"+addr+"/", "-c", "4", "-d", "500ms")
	if code != ExitRunFailed {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, ExitRunFailed, stdout, stderr)
	}
	want := "no connection could be made to " + addr
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "refused") {
		t.Fatalf("stderr %q does not say %q ... refused", stderr, want)
	}
}

func TestRunCountsMatchTarget(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "10", "-n", "3000", "--loops", "2", "--json")
	if code != ExitOK {
		t.Fatalf("exit code %d\nstderr: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("--json output is not a summary: %v\n%s", err, stdout)
	}
	if s.Responses != 3000 || srv.Served() != 3000 {
		t.Fatalf("client counted %d responses, target served %d; want 3000 each", s.Responses, srv.Served())
	}
	if s.Status["200"] != 3000 || s.ErrorTotal != 0 {
		t.Fatalf("status %v errors %v; want 3000 x 200 and no errors", s.Status, s.Errors)
	}
	if s.Schema != stats.SchemaVersion || s.Mode != "async" || s.Latency.Count != 3000 {
		t.Fatalf("summary fields: schema %d mode %q latency count %d", s.Schema, s.Mode, s.Latency.Count)
	}
}

func TestRunPostWithHeadersPrintsSummary(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	body := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(body, []byte(`{"u":"a"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBin(t, "run", srv.URL()+"login", "-m", "POST", "-H", "Content-Type: application/json",
		"--body-file", body, "-n", "500", "-c", "5", "-t", "1", "--latency")
	if code != ExitOK {
		t.Fatalf("exit code %d\nstderr: %s", code, stderr)
	}
	for _, want := range []string{"5 connections, 1 loop against", "500 answered", "200 × 500", "Errors        none", "p99.9", "Latency distribution", "99.999%"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if srv.Served() != 500 {
		t.Fatalf("target served %d, want 500", srv.Served())
	}
}

func TestDemoRunsAgainstBuiltInTarget(t *testing.T) {
	stdout, stderr, code := runBin(t, "demo", "-d", "1s", "-c", "20")
	if code != ExitOK {
		t.Fatalf("exit code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"Built-in target listening on 127.0.0.1:", "req/s", "200 × ", "Next: load your own server", "--out results"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTooManyConnectionsForTheFileLimit(t *testing.T) {
	_, stderr, code := runBin(t, "run", "http://127.0.0.1:1/", "-c", "5000000", "-d", "1s")
	if code != ExitUsage {
		t.Fatalf("exit code %d, want %d; stderr %s", code, ExitUsage, stderr)
	}
	for _, want := range []string{"5,000,000 connections need about", "ulimit -n 50000"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("stderr %q lacks %q", stderr, want)
		}
	}
}
