package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// writeScenario writes a closed-model scenario against url into a temp dir.
func writeScenario(t *testing.T, url, thresholds string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gate.yaml")
	body := "name: gate\ntarget: " + url + "\nload:\n  connections: 4\n  requests: 2000\nthresholds:\n" + thresholds
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScenarioThresholdsSetExitCodes(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{Delay: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// p50 is at least the target's 2 ms delay: the first threshold passes,
	// the second cannot.
	path := writeScenario(t, srv.URL(), "  - p50 < 5s\n  - error_rate < 1%\n")
	junit := filepath.Join(t.TempDir(), "report.xml")
	stdout, stderr, code := runBin(t, "run", path, "--junit", junit)
	if code != ExitOK {
		t.Fatalf("passing thresholds: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "PASS p50 < 5s") || srv.Served() != 2000 {
		t.Fatalf("want PASS lines and 2000 served (got %d):\n%s", srv.Served(), stdout)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Tests != 2 || suites.Failures != 0 {
		t.Fatalf("junit: %v tests=%d failures=%d\n%s", err, suites.Tests, suites.Failures, data)
	}

	stdout, stderr, code = runBin(t, "run", path, "--set", "thresholds=p50 < 1ms", "--junit", junit)
	if code != ExitThresholds {
		t.Fatalf("breached threshold: exit %d, want %d\n%s\n%s", code, ExitThresholds, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAIL p50 < 1ms") || !strings.Contains(stderr, "p50 < 1ms") {
		t.Fatalf("the failed check is not reported:\n%s\n%s", stdout, stderr)
	}
	data, _ = os.ReadFile(junit)
	if !strings.Contains(string(data), "<failure") {
		t.Fatalf("junit lacks the failure:\n%s", data)
	}

	_, stderr, code = runBin(t, "run", path, "--set", "load.rate=fast")
	if code != ExitUsage || !strings.Contains(stderr, `--set load.rate: must be a number above 0, got "fast"`) {
		t.Fatalf("bad --set: exit %d stderr %q", code, stderr)
	}
	_, stderr, code = runBin(t, "run", path, "-c", "0")
	if code != ExitUsage || !strings.Contains(stderr, "load.connections") {
		t.Fatalf("flag override of a scenario key: exit %d stderr %q", code, stderr)
	}
}

func TestValidateReportsFileAndLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\ntarget: http://127.0.0.1:8080/\nload:\n  rate: fast\n"), 0o644)
	_, stderr, code := runBin(t, "validate", bad)
	if code != ExitUsage || !strings.Contains(stderr, "bad.yaml:4: load.rate") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	stdout, _, code := runBin(t, "validate", "../examples/smoke.yaml", "../examples/checkout.yaml")
	if code != ExitOK || strings.Count(stdout, ": ok") != 2 {
		t.Fatalf("examples: exit %d\n%s", code, stdout)
	}
}

// A threshold settled before the run (a rate above 100%, a latency below
// the 1 µs nowait records from) is a usage error, in a file as with --set,
// and no load is sent.
func TestSettledThresholdIsAUsageError(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := writeScenario(t, srv.URL(), "  - p50 < 5s\n  - error_rate < 150%\n  - p99 < 1ns\n")
	_, stderr, code := runBin(t, "validate", path)
	if code != ExitUsage ||
		!strings.Contains(stderr, `gate.yaml:8: thresholds[1]: "error_rate < 150%" always passes: error_rate is a share, from 0% to 100%; want a limit of 100% or less`) ||
		!strings.Contains(stderr, `gate.yaml:9: thresholds[2]: "p99 < 1ns" can never pass: p99 is never below 1us, the shortest time nowait records; want a limit above 1us`) {
		t.Fatalf("validate: exit %d, want %d; stderr %q", code, ExitUsage, stderr)
	}
	path = writeScenario(t, srv.URL(), "  - p50 < 5s\n")
	_, stderr, code = runBin(t, "run", path, "--set", "thresholds=p50 < 5s,p99 < 0.5us")
	if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, `--set thresholds: "p99 < 0.5us" can never pass: p99 is never below 1us, the shortest time nowait records; want a limit above 1us, such as p99 < 50ms`) {
		t.Fatalf("run --set: exit %d, want %d and one line; stderr %q", code, ExitUsage, stderr)
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests; a usage error must send none", n)
	}
}

func TestBaselineRegressionExitsFour(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A baseline that claims a thousand times the throughput this run can
	// reach: the rps check must fail and say by how much.
	base := stats.Summary{Schema: stats.SchemaVersion, Responses: 1, RequestsPerSec: 1e9,
		Latency: stats.Latency{Percentiles: map[string]float64{"50": 100, "99": 100, "99.9": 100}}}
	b, _ := json.Marshal(base)
	path := filepath.Join(t.TempDir(), "summary.json")
	os.WriteFile(path, b, 0o644)
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "4", "-d", "500ms", "--baseline", path)
	if code != ExitRegression {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitRegression, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAIL rps vs baseline") || !strings.Contains(stdout, "PASS p99 vs baseline") {
		t.Fatalf("baseline checks not reported:\n%s", stdout)
	}
}

func TestInterruptStillWritesResults(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "res")
	c := exec.Command(binPath, "run", srv.URL(), "-c", "4", "-d", "30s", "--out", out, "--json")
	var stdout strings.Builder
	c.Stdout = &stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	c.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.Process.Kill()
		t.Fatal("the run did not stop within 10 s of SIGINT")
	}
	var printed stats.Summary
	if err := json.Unmarshal([]byte(stdout.String()), &printed); err != nil || !printed.Interrupted || printed.Responses == 0 {
		t.Fatalf("the printed summary after Ctrl-C: %v %+v", err, printed)
	}
	if c.ProcessState.ExitCode() != ExitRunFailed {
		t.Fatalf("exit code %d after Ctrl-C, want %d", c.ProcessState.ExitCode(), ExitRunFailed)
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatalf("no summary.json after Ctrl-C: %v", err)
	}
	var s stats.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || s.Responses != printed.Responses || s.DurationSec > 5 {
		t.Fatalf("summary after Ctrl-C: interrupted %v responses %d duration %.1fs", s.Interrupted, s.Responses, s.DurationSec)
	}
	// What the client counted is what the target served, less what was in flight.
	if served := srv.Served(); s.Responses > served || served-s.Responses > uint64(4) {
		t.Fatalf("client %d responses, target served %d", s.Responses, served)
	}
	for _, f := range []string{"latency.hlog", "latency.hgrm", "timeseries.csv", "spectrum.png", "timeline.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

func TestBaselineWithinMarginPasses(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{Delay: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A baseline slower in every way than a 2 ms target can be: no regression.
	base := stats.Summary{Schema: stats.SchemaVersion, Responses: 1, RequestsPerSec: 1,
		Latency: stats.Latency{Percentiles: map[string]float64{"50": 1000, "99": 1000, "99.9": 1000}}}
	b, _ := json.Marshal(base)
	path := filepath.Join(t.TempDir(), "summary.json")
	os.WriteFile(path, b, 0o644)
	junit := filepath.Join(t.TempDir(), "report.xml")
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "4", "-d", "500ms", "--baseline", path, "--junit", junit)
	if code != ExitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, stdout, stderr)
	}
	if strings.Count(stdout, "PASS ") != 5 {
		t.Fatalf("want 5 passing baseline checks:\n%s", stdout)
	}
	data, _ := os.ReadFile(junit)
	if strings.Count(string(data), "<testcase") != 5 || strings.Contains(string(data), "<failure") {
		t.Fatalf("junit:\n%s", data)
	}
}

func TestCompareWritesOneCellPerModeAndCount(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "cmp")
	stdout, stderr, code := runBin(t, "compare", srv.URL(), "--modes", "async,sync,goroutine",
		"--connections", "2,8", "-d", "300ms", "--pause", "50ms", "-t", "1", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	r := readCompare(t, out)
	if len(r.Cells) != 6 {
		t.Fatalf("%d cells, want 6 (3 modes x 2 counts)", len(r.Cells))
	}
	var answered uint64
	for _, c := range r.Cells {
		if c.Error != "" || c.Summary == nil || c.Summary.Responses == 0 || c.Summary.Mode != c.Mode || c.Summary.Connections != c.Connections {
			t.Fatalf("cell %s/%d: error %q summary %+v", c.Mode, c.Connections, c.Error, c.Summary)
		}
		if (c.Mode == "async") != (c.Summary.Loops == 1) { // -t is the async cells' only
			t.Fatalf("cell %s/%d ran %d loops", c.Mode, c.Connections, c.Summary.Loops)
		}
		answered += c.Summary.Responses
	}
	if served := srv.Served(); answered > served || served-answered > 2*(2+8)*3 {
		t.Fatalf("cells counted %d responses, target served %d", answered, served)
	}
	for _, f := range []string{"compare.png", "compare.svg"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, m := range []string{"async", "sync", "goroutine"} {
		if !strings.Contains(stdout, m) {
			t.Fatalf("table lacks %s:\n%s", m, stdout)
		}
	}
}

// TestOpenModelRunsAtTheRate is issue 4's rate test through the built
// binary (not built with -race, so the rate is the generator's, not the
// race detector's): -R 2000 for 3 s sends 6000 requests, within 1%, in
// every mode, and the target served what the client counted. More than
// 6000 fails at once; fewer (the in-process target, under -race, slowed
// by a loaded machine) must be avoided in one try of three.
func TestOpenModelRunsAtTheRate(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, mode := range []string{"async", "sync", "goroutine"} {
		enginetest.Tries(t, 3, func(int) string {
			served := srv.Served()
			stdout, stderr, code := runBin(t, "run", srv.URL(), "-R", "2000", "-c", "20", "-d", "3s", "--mode", mode, "--json")
			if code != ExitOK {
				t.Fatalf("open model in %s mode: exit %d\n%s", mode, code, stderr)
			}
			var s stats.Summary
			if err := json.Unmarshal([]byte(stdout), &s); err != nil {
				t.Fatal(err)
			}
			got := srv.Served() - served
			t.Logf("%s: sent %d, dropped %d, served %d, send lag p99 %.2f ms", mode, s.Requests, s.Dropped, got, s.SendLag.P(99))
			if s.Model != "open" || s.Mode != mode || s.Requests > 6060 || s.SendLag.Count == 0 {
				t.Fatalf("%s mode at 2000/s for 3 s: model %q, sent %d (want 6000 ± 1%%), send lag count %d",
					mode, s.Model, s.Requests, s.SendLag.Count)
			}
			if s.Responses+s.InFlightAtEnd != got {
				t.Fatalf("%s mode: target served %d, client counted %d + %d in flight", mode, got, s.Responses, s.InFlightAtEnd)
			}
			if s.Requests < 5940 {
				return fmt.Sprintf("%s mode at 2000/s for 3 s sent %d; want 6000 ± 1%%", mode, s.Requests)
			}
			return ""
		})
	}
}

// TestStallsShowInTheOpenModelOnly is coordinated omission end to end: a
// target that stalls 300 ms every second, loaded at a fixed rate, shows
// the stalls in the corrected latency while the service time stays small;
// the same target in the closed model is reported as closed, with one
// response-time row and no corrected figure claimed.
func TestStallsShowInTheOpenModelOnly(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{Stall: 300 * time.Millisecond, StallEvery: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-R", "1000", "-c", "50", "-d", "2s", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	t.Logf("open: responses %d dropped %d, latency p50 %.1f p99 %.1f max %.1f ms, service p50 %.1f p99 %.1f ms, send lag p99 %.1f ms",
		s.Responses, s.Dropped, s.Latency.P(50), s.Latency.P(99), s.Latency.MaxMs, s.Service.P(50), s.Service.P(99), s.SendLag.P(99))
	// Neither bound depends on when the binary starts or how loaded the
	// machine is: any 2 s run holds a whole stall (the target stalls at 1,
	// 2, 3, ... s after its start), and the requests due in its first 50 ms
	// alone (50 of 2,000, one per connection) wait 250 ms or more; the
	// requests outside the stalls are most of them. Under load average 14
	// the p99 stayed at 285 to 650 ms and the service p50 at 0.2 to 6 ms.
	if p99, svc := s.Latency.P(99), s.Service.P(50); p99 < 250 || svc >= 50 {
		t.Errorf("open model: corrected p99 %.1f ms (want >= 250), service p50 %.1f ms (want < 50)", p99, svc)
	}
	stdout, stderr, code = runBin(t, "run", srv.URL(), "-c", "10", "-d", "1500ms")
	if code != ExitOK {
		t.Fatalf("closed run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "closed model") || !strings.Contains(stdout, "response time") ||
		strings.Contains(stdout, "from intended send") || strings.Contains(stdout, "service time") {
		t.Errorf("closed run should show one response-time row and no corrected figure:\n%s", stdout)
	}
}

// TestCompareInProcessGivesLoopsToAsyncOnly: when compare cannot start
// itself as a child, it runs each cell in process; -t goes to the async
// cells only, and the sync cell runs, not refused for it.
func TestCompareInProcessGivesLoopsToAsyncOnly(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, selfExe: func() (string, error) { return "", errors.New("no executable") }}
	root := newRootCmd(a)
	root.SetArgs([]string{"compare", srv.URL(), "--modes", "async,sync", "--connections", "2", "-d", "200ms", "--pause", "10ms", "-t", "1", "--out", out})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("compare: %v\n%s", err, stderr.String())
	}
	r := readCompare(t, out)
	if len(r.Cells) != 2 {
		t.Fatalf("%d cells, want 2", len(r.Cells))
	}
	for _, c := range r.Cells {
		if c.Error != "" || c.Summary == nil || c.Summary.Responses == 0 || (c.Mode == "async") != (c.Summary.Loops == 1) {
			t.Fatalf("cell %s: error %q summary %+v", c.Mode, c.Error, c.Summary)
		}
	}
}

// readCompare reads the compare.json that compare wrote into dir.
func readCompare(t *testing.T, dir string) CompareReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r CompareReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
