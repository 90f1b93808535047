package cmd

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/target"
)

// TestCountLowersTheConnections: `run URL -n 5 -c 50` opens at most 5
// connections in every mode (it opened up to 28 in async mode), says so
// in the line that starts the run, in the report's header (again from the
// files, with `report`) and in summary.json (connections 5,
// connections_asked 50), and gets its 5 responses. With a warm-up, whose
// requests the count does not bound, the run keeps the connections asked
// for.
func TestCountLowersTheConnections(t *testing.T) {
	const lowered = "5 connections (50 asked, one per request)"
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			srv, err := target.Start("127.0.0.1:0", target.Config{Delay: 5 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			dir := filepath.Join(t.TempDir(), "res")
			stdout, stderr, code := runBin(t, "run", srv.URL(), "-n", "5", "-c", "50", "--mode", mode, "--out", dir)
			if code != ExitOK {
				t.Fatalf("exit code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			accepted := srv.Stats().Accepted
			s := readSummary(t, dir)
			t.Logf("target accepted %d, served %d; client: connects %d, responses %d", accepted, srv.Served(), s.Connects, s.Responses)
			if accepted == 0 || accepted > 5 || s.Connects > 5 {
				t.Errorf("the target accepted %d connections, the client opened %d; want 1 to 5", accepted, s.Connects)
			}
			if s.Responses != 5 || srv.Served() != 5 {
				t.Errorf("responses %d, served %d; want 5 each", s.Responses, srv.Served())
			}
			if s.Connections != 5 || s.ConnsAsked != 50 {
				t.Errorf("summary.json: connections %d, connections_asked %d; want 5 and 50", s.Connections, s.ConnsAsked)
			}
			if strings.Count(stdout, lowered) != 2 {
				t.Errorf("want %q in the starting line and in the report's header:\n%s", lowered, stdout)
			}
			again, stderr, code := runBin(t, "report", dir)
			if code != ExitOK || !strings.Contains(again, lowered) {
				t.Errorf("report: exit code %d, want %q in its header:\n%s%s", code, lowered, again, stderr)
			}
		})
	}

	t.Run("warm-up", func(t *testing.T) {
		srv := startTestTarget(t)
		dir := filepath.Join(t.TempDir(), "res")
		stdout, stderr, code := runBin(t, "run", srv.URL(), "-n", "5", "-c", "8", "--warmup", "200ms", "--out", dir)
		if code != ExitOK {
			t.Fatalf("exit code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		s := readSummary(t, dir)
		if s.Connections != 8 || s.ConnsAsked != 0 || strings.Contains(stdout, "asked") || !strings.Contains(stdout, "8 connections") {
			t.Errorf("connections %d, connections_asked %d; want 8 and none, said so:\n%s", s.Connections, s.ConnsAsked, stdout)
		}
		if s.Responses != 5 {
			t.Errorf("responses %d; want 5", s.Responses)
		}
	})
}
