package cmd

import (
	"strings"
	"testing"
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
