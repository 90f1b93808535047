package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// validate reports every problem of a file in one pass, in the order of
// its lines: a value refused as it is read (a weight, a max_regression)
// no longer hides the conflicts found over the whole file (a rate with
// the hold model, a body beside a body_file). run refuses the same file
// with the same lines.
func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	body := writeFile(t, "body.json", "{}")
	path := writeFile(t, "many.yaml", "target: "+srv.URL()+`
load:
  model: hold
  rate: 100
requests:
  - path: /
    weight: -3
    body: abc
    body_file: `+body+`
baseline:
  max_regression: abc
thresholds:
  - p99 < 1
`)
	want := []string{
		path + ":4: load.rate: conflicts with model: hold",
		path + ":7: requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got -3",
		path + ":9: requests[0].body_file: conflicts with body; give one of them",
		path + `:11: baseline.max_regression: must be a percentage above 0 such as 10%, got "abc"`,
		path + `:13: thresholds[0]: "p99 < 1": "1" is not a latency`,
	}
	_, stderr, code := runBin(t, "validate", path)
	checkLines(t, "validate", stderr, code, want, "nowait: 1 of 1 scenario files are not valid")
	_, stderr, code = runBin(t, "run", path, "--set", "load.duration=fast", "-d", "1s", "--timeout", "-1s")
	want = append(want,
		`--set load.duration: must be a duration above 0 such as "10s" or "500ms", got "fast"`,
		`--timeout (timeouts.request): must be a duration above 0 such as "10s" or "500ms", got "-1s"`)
	want[0] = "nowait: " + want[0]
	checkLines(t, "run", stderr, code, want, "")
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

// checkLines checks that stderr holds exactly the lines want (each a
// prefix of its line), then last if not "", and that the exit code is 2.
func checkLines(t *testing.T, what, stderr string, code int, want []string, last string) {
	t.Helper()
	if last != "" {
		want = append(want, last)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != ExitUsage || len(lines) != len(want) {
		t.Fatalf("%s: exit %d, %d lines; want %d and %d lines:\n%s", what, code, len(lines), ExitUsage, len(want), stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("%s: line %d is %q; want %q", what, i+1, lines[i], w)
		}
	}
}

// validate refuses the output paths run would refuse before any load (a
// file as outputs.dir, a JUnit report under a file), at their file:line,
// and run refuses them with the same lines before it sends anything.
// validate creates nothing.
func TestValidateChecksOutputPaths(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	file := writeFile(t, "afile", "x")
	dir := t.TempDir()
	path := writeFile(t, "outs.yaml", "target: "+srv.URL()+"\nload:\n  requests: 10\noutputs:\n  dir: "+file+
		"\n  junit: "+filepath.Join(file, "j", "junit.xml")+"\n")
	want := []string{
		path + ":5: outputs.dir: " + file + " is a file, not a directory; want a directory nowait can create or write into",
		path + ":6: outputs.junit: " + filepath.Join(file, "j", "junit.xml") + ": its directory " + filepath.Join(file, "j") +
			" cannot be created: " + file + " is a file, not a directory",
	}
	_, stderr, code := runBin(t, "validate", path)
	checkLines(t, "validate", stderr, code, want, "nowait: 1 of 1 scenario files are not valid")
	_, stderr, code = runBin(t, "run", path)
	checkLines(t, "run", stderr, code, []string{"nowait: " + want[0], want[1]}, "")
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}

	// A directory that does not exist yet is fine, and is not created.
	fresh := filepath.Join(dir, "new", "res")
	ok := writeFile(t, "ok.yaml", "target: "+srv.URL()+"\noutputs:\n  dir: "+fresh+"\n  junit: "+filepath.Join(dir, "j", "junit.xml")+"\n")
	if stdout, stderr, code := runBin(t, "validate", ok); code != ExitOK || !strings.HasSuffix(stdout, ": ok\n") {
		t.Fatalf("validate of new output paths: exit %d, %s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Errorf("validate created %s (stat: %v)", filepath.Join(dir, "new"), err)
	}
}

// A hold scenario refuses the keys `nowait hold` refuses as flags (-n,
// --pipeline, --warmup) and an --every under a millisecond, which the
// hold model would otherwise ignore: the QA file validated, then ran 200
// requests with no warm-up under "Holding 10 connections to URL 30
// requests or 2s". validate and run say so at once, at file:line, and
// nothing is sent.
func TestHoldScenarioRefusesWhatHoldRefuses(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "hold.yaml", "target: "+srv.URL()+`
load:
  model: hold
  connections: 10
  requests: 30
  warmup: 1s
  every: 100us
  pipeline: 4
  duration: 2s
`)
	want := []string{
		path + ":5: load.requests: conflicts with model: hold, which runs for load.duration; drop load.requests",
		path + ":6: load.warmup: conflicts with model: hold, which measures every connect from the start",
		path + ":7: load.every: 100µs is shorter than a millisecond",
		path + ":8: load.pipeline: conflicts with model: hold, which sends at most one request per connection every load.every",
	}
	_, stderr, code := runBin(t, "validate", path)
	checkLines(t, "validate", stderr, code, want, "nowait: 1 of 1 scenario files are not valid")
	_, stderr, code = runBin(t, "run", path)
	want[0] = "nowait: " + want[0]
	checkLines(t, "run", stderr, code, want, "")
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

// --set thresholds=LIST reports every expression that does not parse, as
// the same list in a file does, in validate and in run, and nothing is
// sent.
func TestSetThresholdsReportsEveryBadOne(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "s.yaml", "target: "+srv.URL()+"\nload:\n  duration: 1s\n")
	set := "thresholds=min >= 0us,error_rate <= 100%,p99 < 5"
	want := []string{
		`--set thresholds: "min >= 0us" always passes`,
		`--set thresholds: "error_rate <= 100%" always passes`,
		`--set thresholds: "p99 < 5": "5" is not a latency`,
	}
	_, stderr, code := runBin(t, "validate", path, "--set", set)
	checkLines(t, "validate", stderr, code, want, "nowait: 1 of 1 scenario files are not valid")
	_, stderr, code = runBin(t, "run", path, "--set", set)
	want[0] = "nowait: " + want[0]
	checkLines(t, "run", stderr, code, want, "")
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

// --set load.stages=LIST and --set load.source_ips=LIST report every
// item that does not parse, one line each, as --set thresholds does, in
// validate and in run, and nothing is sent.
func TestSetListsReportEveryBadItem(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "s.yaml", "target: "+srv.URL()+"\nload:\n  duration: 1s\n")
	for _, tc := range []struct {
		set  string
		want []string
	}{
		{"load.stages=1s:10,xx:5,2s:-1,3s,4s:20", []string{
			`--set load.stages: stage "xx:5": duration must be a duration above 0`,
			`--set load.stages: stage "2s:-1": target must be a number of at least 0, got -1`,
			`--set load.stages: must be stages as DURATION:TARGET, comma separated, such as "30s:100,1m:1000", got "3s"`,
		}},
		{"load.source_ips=127.0.0.2,bogus,127.0.0.3,127.0.0.9-127.0.0.4,1.2.3", []string{
			`--set load.source_ips: must be an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9, got "bogus"`,
			`--set load.source_ips: must be an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9 (a range goes from a lower to a higher address of one family), got "127.0.0.9-127.0.0.4"`,
			`--set load.source_ips: must be an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9, got "1.2.3"`,
		}},
	} {
		key, _, _ := strings.Cut(tc.set, "=")
		t.Run(key, func(t *testing.T) {
			want := slices.Clone(tc.want)
			_, stderr, code := runBin(t, "validate", path, "--set", tc.set)
			checkLines(t, "validate", stderr, code, want, "nowait: 1 of 1 scenario files are not valid")
			_, stderr, code = runBin(t, "run", path, "--set", tc.set)
			want[0] = "nowait: " + want[0]
			checkLines(t, "run", stderr, code, want, "")
		})
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}
