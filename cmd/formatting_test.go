package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nowait/nowait/target"
)

// TestPastedOutputFormatsTinyFigures runs what the QA report pasted: a
// rate far below 0.1 req/s is written with its digits, not as 0.0; the
// CPU of a run of two requests is not 0.00 s beside a CPU per request
// that is not 0; a single sample's stdev has a unit like every other
// cell; and a duration is echoed as typed, 2h, not 2h0m0s.
func TestPastedOutputFormatsTinyFigures(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := runBin(t, append([]string{"run", srv.URL()}, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
		}
		return stdout
	}

	slow := run("-R", "1e-9", "-d", "300ms", "-c", "1")
	if strings.Contains(slow, " 0.0 req/s") || strings.Count(slow, "0.000000001 req/s") != 2 {
		t.Errorf("-R 1e-9: want the rate as 0.000000001 req/s in the first line and the Schedule line, never 0.0:\n%s", slow)
	}

	two := run("-n", "2", "-c", "1")
	gen := regexp.MustCompile(`Generator +(.*) CPU \(user (\S+), sys (\S+)\), (.+?) CPU per request`).FindStringSubmatch(two)
	if gen == nil {
		t.Errorf("no Generator line with a CPU per request:\n%s", two)
	} else if strings.HasPrefix(gen[1], "0.00") || !regexp.MustCompile(`^[\d.]+(µs|ms)$`).MatchString(gen[1]) {
		t.Errorf("Generator CPU %q for two requests (%s per request); want it in ms or µs, not 0.00 s", gen[1], gen[4])
	}
	cell := regexp.MustCompile(`^\d+(\.\d+)?(µs|ms|s)$`)
	one := run("-n", "1", "-c", "1")
	for _, line := range strings.Split(one, "\n") {
		row := strings.TrimSpace(line)
		if !strings.HasPrefix(row, "response time") && !strings.HasPrefix(row, "connect ") {
			continue
		}
		for _, c := range strings.Fields(strings.TrimPrefix(strings.TrimPrefix(row, "response time"), "connect"))[:9] {
			if !cell.MatchString(c) {
				t.Errorf("latency cell %q of %q has no unit", c, row)
			}
		}
	}

	long := run("-d", "2h", "-n", "3", "-c", "1")
	if first := strings.SplitN(long, "\n", 2)[0]; !strings.Contains(first, "3 requests or 2h against") {
		t.Errorf("first line %q; want the duration as typed, \"2h\"", first)
	}
}
