package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// The JUnit report of a run carries the run's time, not "0", and the
// check line has one pair of parentheses; a run that could make no
// connection writes failures that say nothing was measured, with no
// "measured: 0µs".
func TestJUnitOfARunSaysItsTimeAndWhatWasMeasured(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "j.yaml", "target: "+srv.URL()+"\nload: {connections: 2, duration: 1s}\nthresholds: [\"p99 < 10s\", \"error_rate < 1%\"]\n")
	junit := filepath.Join(t.TempDir(), "j.xml")
	stdout, stderr, code := runBin(t, "run", path, "--junit", junit)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`PASS error_rate < 1% \(0\.0%, 0 failed of [0-9,]+ attempts\)\n`).MatchString(stdout) {
		t.Errorf("no single-parenthesis error_rate line in:\n%s", stdout)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	times := regexp.MustCompile(`time="([0-9.]+)"`).FindAllStringSubmatch(string(data), -1)
	if len(times) != 3 {
		t.Fatalf("want 3 times (the suite, 2 cases):\n%s", data)
	}
	for _, m := range times {
		if sec, _ := strconv.ParseFloat(m[1], 64); sec < 0.9 || sec > 1.5 {
			t.Errorf("time=%q; want the 1 s the run took:\n%s", m[1], data)
		}
	}

	down := writeFile(t, "down.yaml", "target: http://"+closedPort(t)+"/\nload: {connections: 2, duration: 300ms}\nthresholds: [\"p99 < 50ms\"]\n")
	if _, stderr, code := runBin(t, "run", down, "--junit", junit); code != ExitRunFailed {
		t.Fatalf("exit %d, want %d: %s", code, ExitRunFailed, stderr)
	}
	data, err = os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "reason: nothing was measured: no response arrived") || strings.Contains(string(data), "0µs") {
		t.Errorf("JUnit of a run with no connection:\n%s\nwant the reason that nothing was measured, and no 0µs", data)
	}
}
