package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// readSummaryFile reads the summary.json of a result directory, and its
// text.
func readSummaryFile(t *testing.T, dir string) (stats.Summary, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, stats.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s stats.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s, string(b)
}

// TestTLSResumeReported: against the built-in target over TLS, each
// request on a connection of its own (Connection: close), the report says
// how many connects resumed a TLS session, and so do summary.json
// (tls_resumed) and timeseries.csv, whose rows add up to it; all but the
// first few did. --no-tls-resume, and tls.resume: false in a scenario,
// resume none.
func TestTLSResumeReported(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{TLS: true})
	url := srv.URL()
	args := []string{url, "-k", "-c", "2", "-n", "50", "-H", "Connection: close"}
	connLine := regexp.MustCompile(`  Connections   (\d+) opened \((\d+|none) resumed a TLS session\), `)

	out := t.TempDir()
	stdout, stderr, code := runBin(t, append([]string{"run", "--out", out}, args...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s, raw := readSummaryFile(t, out)
	m := connLine.FindStringSubmatch(stdout)
	if m == nil || m[1] != strconv.FormatUint(s.Connects, 10) || m[2] != strconv.FormatUint(s.TLSResumed, 10) {
		t.Fatalf("the report's Connections line does not give connects %d, %d resumed:\n%s", s.Connects, s.TLSResumed, stdout)
	}
	if s.Responses != 50 || s.Connects < 50 || s.Connects-s.TLSResumed > 4 || !strings.Contains(raw, `"tls_resumed": `) {
		t.Errorf("responses %d, connects %d, tls_resumed %d; want 50 answered on as many connects, all but the first few resumed", s.Responses, s.Connects, s.TLSResumed)
	}
	if sum := timeseriesColumn(t, filepath.Join(out, stats.TimeseriesFile), "tls_resumed"); sum != s.TLSResumed {
		t.Errorf("timeseries.csv: tls_resumed adds up to %d, summary.json says %d", sum, s.TLSResumed)
	}

	t.Run("--no-tls-resume", func(t *testing.T) {
		out := t.TempDir()
		stdout, stderr, code := runBin(t, append([]string{"run", "--out", out, "--no-tls-resume"}, args...)...)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		s, _ := readSummaryFile(t, out)
		if m := connLine.FindStringSubmatch(stdout); m == nil || m[2] != "none" || s.TLSResumed != 0 || s.Connects < 50 {
			t.Errorf("connects %d, tls_resumed %d; want every handshake full, the report saying none resumed:\n%s", s.Connects, s.TLSResumed, stdout)
		}
	})
	t.Run("tls.resume: false", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "full.yaml")
		yaml := "target: " + url + "\nload: {connections: 2, requests: 50}\nrequests:\n  - headers: {Connection: close}\ntls: {insecure: true, resume: false}\noutputs: {json: true}\n"
		if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := runBin(t, "validate", file); code != ExitOK {
			t.Fatalf("validate: exit %d: %s", code, stderr)
		}
		stdout, stderr, code := runBin(t, "run", file)
		s := summaryOf(t, stdout, stderr)
		if code != ExitOK || s.TLSResumed != 0 || s.Connects < 50 {
			t.Errorf("exit %d, connects %d, tls_resumed %d (%s); want every handshake full", code, s.Connects, s.TLSResumed, stderr)
		}
		// The flag overrides the file, as every flag does.
		stdout, stderr, code = runBin(t, "run", file, "--no-tls-resume=false")
		if s := summaryOf(t, stdout, stderr); code != ExitOK || s.TLSResumed == 0 {
			t.Errorf("exit %d, tls_resumed %d (%s); want sessions resumed with --no-tls-resume=false", code, s.TLSResumed, stderr)
		}
	})
	t.Run("hold", func(t *testing.T) {
		stdout, stderr, code := runBin(t, "hold", url, "-k", "-c", "2", "-d", "300ms", "--no-tls-resume")
		if code != ExitOK || !strings.Contains(stdout, " connects in all (none resumed a TLS session)\n") {
			t.Errorf("exit %d (%s); want the Connections line to say none resumed:\n%s", code, stderr, stdout)
		}
	})
}

// TestHTTPReportSaysNothingOfTLS: over http the Connections line names no
// TLS session, and summary.json's tls_resumed is 0.
func TestHTTPReportSaysNothingOfTLS(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "2", "-n", "20")
	if code != ExitOK || strings.Contains(stdout, "TLS") || !strings.Contains(stdout, "  Connections   2 opened, ") {
		t.Errorf("exit %d (%s); want a Connections line without TLS:\n%s", code, stderr, stdout)
	}
}

// TestCompareNoTLSResume: compare gives --no-tls-resume to its cells:
// against a target that closes each connection after its response, a
// cell resumes sessions without it and none with it.
func TestCompareNoTLSResume(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{TLS: true, CloseAfter: 1})
	for _, noResume := range []bool{false, true} {
		args := []string{"compare", srv.URL(), "-k", "--modes", "async", "--connections", "2", "-d", "300ms", "--pause", "0s", "--json"}
		if noResume {
			args = append(args, "--no-tls-resume")
		}
		stdout, stderr, code := runBin(t, args...)
		var r CompareReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != ExitOK || len(r.Cells) != 1 || r.Cells[0].Summary == nil {
			t.Fatalf("exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
		}
		s := r.Cells[0].Summary
		t.Logf("--no-tls-resume %v: connects %d, resumed %d", noResume, s.Connects, s.TLSResumed)
		if s.Connects < 10 || (s.TLSResumed == 0) != noResume {
			t.Errorf("--no-tls-resume %v: connects %d, resumed %d; want many connects, resumed unless the flag says not to", noResume, s.Connects, s.TLSResumed)
		}
	}
}

// TestNoTLSResumeFlagWhereTLSFlagsAre: run, hold, compare and demo, the
// commands that make https connections, each take --no-tls-resume.
func TestNoTLSResumeFlagWhereTLSFlagsAre(t *testing.T) {
	for _, name := range []string{"run", "hold", "compare", "demo"} {
		stdout, stderr, code := runBin(t, name, "--help")
		if code != ExitOK || !strings.Contains(stdout, "--no-tls-resume") {
			t.Errorf("%s --help: exit %d (%s), no --no-tls-resume:\n%s", name, code, stderr, stdout)
		}
	}
}
