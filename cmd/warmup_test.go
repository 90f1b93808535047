package cmd

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// TestCtrlCInTheWarmupReportsWhatRan: Ctrl-C 0.7 s into a 3 s warm-up
// says the run was interrupted (not that no connection could be made,
// although the measured part saw none), reports the warm-up that ran
// rather than the one planned, and still reports the connections, which
// the warm-up opened.
func TestCtrlCInTheWarmupReportsWhatRan(t *testing.T) {
	srv := startTestTarget(t)
	out := filepath.Join(t.TempDir(), "res")
	c := exec.Command(binPath, "run", srv.URL(), "-c", "4", "--warmup", "3s", "-d", "2s", "--out", out)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	_ = c.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		t.Fatal("the run did not stop within 10 s of SIGINT")
	}
	text := stdout.String()
	t.Logf("stdout:\n%s\nstderr:\n%s", text, stderr.String())
	if code := c.ProcessState.ExitCode(); code != ExitRunFailed {
		t.Errorf("exit code %d, want %d", code, ExitRunFailed)
	}
	if strings.Contains(stderr.String(), "no connection could be made") || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr %q: want it to say interrupted, and not that no connection could be made", stderr.String())
	}
	if !strings.Contains(text, "Connections   4 opened") || !regexp.MustCompile(`(?m)^\s+connect\s+\d`).MatchString(text) {
		t.Errorf("want the 4 connections the warm-up opened reported, with their connect times")
	}
	if !strings.Contains(text, "CPU per request (warm-up included)") {
		t.Errorf("want the CPU per request to say it counts the warm-up's requests: the measured part has none")
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s stats.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.WarmupSec <= 0 || s.WarmupSec >= 2 || s.Warmup == nil || s.Warmup.Responses == 0 {
		t.Errorf("warmup_s %.2f, warm-up %+v; want the 0.7 s that ran, with its responses", s.WarmupSec, s.Warmup)
	}
	if s.Connects != 4 || s.Connect.Count != 4 {
		t.Errorf("connects %d, connect times %d; want 4 and 4", s.Connects, s.Connect.Count)
	}
	// The requests in flight at the Ctrl-C were the warm-up's: none of the
	// measured part's (which sent none) is left unanswered.
	if s.Requests != 0 || s.InFlightAtEnd != 0 || strings.Contains(text, "In flight") {
		t.Errorf("requests %d, in flight %d; want 0 and 0, and no In flight line", s.Requests, s.InFlightAtEnd)
	}
}

// startTestTarget starts the built-in target on loopback for the test.
func startTestTarget(t *testing.T) *target.Server {
	t.Helper()
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}
