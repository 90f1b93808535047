package cmd

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestNoResponseSaysSo: a run in which nothing could connect prints one
// line for the latency, not a table of zeros, no distribution of zeros
// with --latency, and an open run's verdict blames the connects rather
// than the generator.
func TestNoResponseSaysSo(t *testing.T) {
	stdout, stderr, code := runBin(t, "run", "http://127.0.0.1:1/", "-c", "2", "-d", "300ms", "--latency")
	if code != ExitRunFailed {
		t.Fatalf("exit %d, want %d\n%s", code, ExitRunFailed, stderr)
	}
	if !strings.Contains(stdout, "  Latency       none: no response arrived\n") {
		t.Fatalf("no one-line latency:\n%s", stdout)
	}
	for _, zeros := range []string{"response time", "Latency distribution", "percentile"} {
		if strings.Contains(stdout, zeros) {
			t.Fatalf("printed %q with nothing measured:\n%s", zeros, stdout)
		}
	}

	stdout, stderr, code = runBin(t, "run", "http://127.0.0.1:1/", "-c", "2", "-R", "50", "-d", "300ms", "--json")
	s := summaryOf(t, stdout, stderr)
	if code != ExitRunFailed || !s.Saturation.Saturated || !strings.HasPrefix(s.Saturation.Reason, "no connection could be made") {
		t.Fatalf("exit %d, saturation %+v; want the verdict to name the failed connects", code, s.Saturation)
	}
}

// TestNoResponseSummaryReaders: a run with no responses writes its
// latency numbers as null in summary.json (a gate reading
// percentiles_ms["99"] sees no 0 ms), and every reader of the file still
// works with it: report (text and --json), merge of two such runs, plot
// (one line: nothing to draw) and --baseline (one line: no responses to
// compare with).
func TestNoResponseSummaryReaders(t *testing.T) {
	url := "http://" + closedPort(t) + "/"
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, d := range dirs { // side by side, so that merge takes them
		wg.Go(func() { _, _, codes[i] = runBin(t, "run", url, "-c", "2", "-d", "1s", "-o", d) })
	}
	wg.Wait()
	if codes[0] != ExitRunFailed || codes[1] != ExitRunFailed {
		t.Fatalf("exits %v, want %d", codes, ExitRunFailed)
	}
	b, err := os.ReadFile(filepath.Join(dirs[0], "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Latency struct {
			Count       int64               `json:"count"`
			MaxMs       *float64            `json:"max_ms"`
			Percentiles map[string]*float64 `json:"percentiles_ms"`
		} `json:"latency"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if p99, ok := doc.Latency.Percentiles["99"]; doc.Latency.Count != 0 || !ok || p99 != nil || doc.Latency.MaxMs != nil {
		t.Fatalf("latency of a run with no responses: %s", b)
	}

	stdout, stderr, code := runBin(t, "report", dirs[0])
	if code != 0 || !strings.Contains(stdout, "  Latency       none: no response arrived\n") {
		t.Errorf("report: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runBin(t, "report", dirs[0], "--json")
	if s := summaryOf(t, stdout, stderr); code != 0 || s.Latency.Count != 0 || !strings.Contains(stdout, `"99": null`) {
		t.Errorf("report --json: exit %d\n%s%s", code, stdout, stderr)
	}
	merged := filepath.Join(t.TempDir(), "m")
	if _, stderr, code := runBin(t, "merge", dirs[0], dirs[1], "--out", merged); code != 0 {
		t.Errorf("merge: exit %d\n%s", code, stderr)
	} else if s := readSummary(t, merged); s.Latency.Count != 0 || s.ErrorTotal == 0 {
		t.Errorf("merged: %+v", s)
	}
	_, stderr, code = runBin(t, "plot", dirs[0], "-o", filepath.Join(t.TempDir(), "p.png"))
	if code != ExitRunFailed || !strings.Contains(stderr, "has no responses, so no latency to draw") {
		t.Errorf("plot: exit %d\n%s", code, stderr)
	}
	_, stderr, code = runBin(t, "run", url, "-c", "1", "-d", "100ms", "--baseline", filepath.Join(dirs[0], "summary.json"))
	if code != ExitUsage || !strings.HasSuffix(strings.TrimSpace(stderr), "has no responses to compare with") {
		t.Errorf("--baseline: exit %d\n%s", code, stderr)
	}
}

// TestNoResponseAtAllExitsOne: a run that sent requests and got not one
// response measured nothing: exit 1 with one line that says so, in every
// mode and model (a target that never answers: every request times out or
// is in flight at the end). A hold without --every sends nothing, and is
// not such a run.
func TestNoResponseAtAllExitsOne(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{Faults: []target.Fault{{Kind: target.FaultHang, Percent: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "http://" + srv.Addr() + "/"
	for _, mode := range []string{"async", "sync", "goroutine"} {
		for _, load := range [][]string{
			{"run", url, "-c", "2", "-d", "600ms", "--timeout", "200ms"},
			{"run", url, "-c", "2", "-R", "20", "-d", "600ms", "--timeout", "200ms"},
			{"run", url, "-c", "2", "-n", "4", "--timeout", "200ms"},
			{"hold", url, "-c", "2", "-d", "600ms", "--every", "100ms", "--timeout", "200ms"},
		} {
			args := append(load, "--mode", mode)
			t.Run(strings.Join(args[2:], " "), func(t *testing.T) {
				checkOneLine(t, badInput{args: args, code: ExitRunFailed,
					want: []string{"nowait: no response arrived from " + srv.Addr() + ": ", " requests sent (", "timeout "}})
			})
		}
		t.Run("hold without --every "+mode, func(t *testing.T) {
			stdout, stderr, code := runBin(t, "hold", url, "-c", "2", "-d", "300ms", "--mode", mode)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// TestPlainHTTPToTLSServer: plain http to a TLS server, whether it
// answers with a TLS alert or closes without a word (nowait's own target,
// Go's crypto/tls), says to use https://, in the report, the JSON and the
// one line of exit 1, in every mode.
func TestPlainHTTPToTLSServer(t *testing.T) {
	alert := alertServer(t)
	tlsTarget, err := target.Start("127.0.0.1:0", target.Config{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tlsTarget.Close() })
	for _, tc := range []struct{ name, addr, kind string }{
		{"alert", alert, "bad_response"},
		{"silent close", tlsTarget.Addr(), "read_error"},
	} {
		for _, mode := range []string{"async", "sync", "goroutine"} {
			t.Run(tc.name+" "+mode, func(t *testing.T) {
				url := "http://" + tc.addr + "/"
				hint := "the server answered with TLS: use https://" + tc.addr + "/"
				stdout, stderr, code := runBin(t, "run", url, "-c", "2", "-d", "300ms", "--mode", mode)
				if code != ExitRunFailed || !strings.Contains(stdout, "  Hint          "+hint+"\n") ||
					strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "; "+hint+"\n") {
					t.Fatalf("exit %d, want %d and the hint\nstdout: %s\nstderr: %s", code, ExitRunFailed, stdout, stderr)
				}
				stdout, stderr, _ = runBin(t, "run", url, "-c", "2", "-d", "300ms", "--mode", mode, "--json")
				s := summaryOf(t, stdout, stderr)
				if !s.HTTPToTLS || s.Errors[tc.kind] == 0 || s.Errors[tc.kind] != s.ErrorTotal {
					t.Errorf("http_to_tls %v, errors %v; want every error a %s", s.HTTPToTLS, s.Errors, tc.kind)
				}
			})
		}
	}
}

// alertServer starts a server that answers each request with a TLS alert
// and closes, as a TLS server may answer plain HTTP, and returns its
// address.
func alertServer(t *testing.T) string {
	t.Helper()
	return enginetest.Serve(t, func(c net.Conn) { // one answer, then the close
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err == nil {
			_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46})
		}
	})
}
