package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
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

// validate refuses what run refuses before any load, with one function
// for both (checkBeforeLoad): more connections than the open-file limit
// allows, an outputs.dir the kernel will not create (/proc/x: as root,
// access(2) said yes and mkdir said no), and a baseline that does not
// read as a summary. The QA's validate said "ok" to all three, which run
// then refused. Both print the same lines; nothing is sent, and validate
// leaves no directory behind.
func TestValidateRefusesWhatRunRefusesBeforeLoad(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Max > 1<<30 {
		t.Skipf("the open-file limit (%d) has room for any connection count", rl.Max)
	}
	conns := rl.Max + 1000
	baseline := writeFile(t, "arr.json", "[1, 2]")
	path := writeFile(t, "pre.yaml", "target: "+srv.URL()+"\nload:\n  connections: "+strconv.FormatUint(conns, 10)+
		"\n  duration: 1s\noutputs:\n  dir: /proc/x\nbaseline:\n  file: "+baseline+"\n")
	want := []string{
		path + ":6: outputs.dir: /proc/x cannot be created",
		path + ":8: baseline.file: " + baseline + " is not a summary.json",
		stats.GroupDigits(int64(conns)) + " connections need about",
	}
	_, stderr, code := runBin(t, "validate", path)
	for i, w := range want { // in this order; the ephemeral ports may add a line after the last
		if j := strings.Index(stderr, w); code != ExitUsage || j < 0 || (i > 0 && j < strings.Index(stderr, want[i-1])) {
			t.Fatalf("validate: exit %d; want %d and the lines %q in order:\n%s", code, ExitUsage, want, stderr)
		}
	}
	_, stderr, code = runBin(t, "run", path)
	if code != ExitUsage || !strings.Contains(stderr, want[1]) {
		t.Fatalf("run: exit %d, stderr %q; want %d and %q", code, stderr, ExitUsage, want[1])
	}
	_, stderr, code = runBin(t, "run", path, "--set", "baseline.file=", "--set", "load.connections=2")
	if code != ExitUsage || !strings.Contains(stderr, want[0]) {
		t.Fatalf("run: exit %d, stderr %q; want %d and %q", code, stderr, ExitUsage, want[0])
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}

	// A result directory that does not exist yet passes, and validate,
	// which made it to check it as run would, removes it again.
	dir := t.TempDir()
	ok := writeFile(t, "ok.yaml", "target: "+srv.URL()+"\noutputs:\n  dir: "+filepath.Join(dir, "new", "res")+
		"\n  junit: "+filepath.Join(dir, "j", "junit.xml")+"\n")
	if stdout, stderr, code := runBin(t, "validate", ok); code != ExitOK || !strings.HasSuffix(stdout, ": ok\n") {
		t.Fatalf("validate of new output paths: exit %d, %s%s", code, stdout, stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("validate left %v in %s", left, dir)
	}
}

// A file with more problems than are listed says how many more: the QA's
// file of 30 bad thresholds printed 20 and the summary line, and nothing
// said that 10 were left out. validate and run end the list with
// "and 10 more problems", after the --set overrides' problems too.
func TestValidateSaysHowManyProblemsItLeftOut(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	var b strings.Builder
	b.WriteString("target: " + srv.URL() + "\nthresholds:\n")
	for i := range 30 {
		b.WriteString("  - p99 < " + strconv.Itoa(i) + "\n")
	}
	path := writeFile(t, "many.yaml", b.String())
	more := path + ": and 10 more problems, not listed"
	_, stderr, code := runBin(t, "validate", path, "--set", "load.rate=fast")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != ExitUsage || len(lines) != 23 || !strings.HasPrefix(lines[21], more) || !strings.HasPrefix(lines[20], "--set load.rate:") {
		t.Fatalf("validate: exit %d, %d lines; want %d, 20 problems, the --set one, %q and the summary:\n%s", code, len(lines), ExitUsage, more, stderr)
	}
	_, stderr, code = runBin(t, "run", path)
	lines = strings.Split(strings.TrimSpace(stderr), "\n")
	if code != ExitUsage || len(lines) != 21 || !strings.HasPrefix(lines[20], more) {
		t.Fatalf("run: exit %d, %d lines; want %d, 20 problems and %q:\n%s", code, len(lines), ExitUsage, more, stderr)
	}
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
