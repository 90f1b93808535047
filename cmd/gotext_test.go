package cmd

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goTexts are pieces of Go's own error texts and of package sentinels
// that a user must never read: package prefixes, Go type names, the
// system call a failure went through, repeated wrapping.
var goTexts = []string{"stats: ", "plots: ", "target: ", "scenarios: ", " json: ", "Go value", "unexpected end of JSON input", "listen tcp", "bind: ", "invalid config", "open /", "open dmg", "mkdir "}

// checkNoGoText runs one bad input (see checkOneLine) and checks that its
// line holds none of goTexts.
func checkNoGoText(t *testing.T, tc badInput) {
	t.Helper()
	checkOneLine(t, tc)
	_, stderr, _ := runBin(t, tc.args...)
	for _, g := range goTexts {
		if strings.Contains(stderr, g) {
			t.Errorf("%v: %q holds Go's or a package's own text %q; want one plain line", tc.args, stderr, g)
		}
	}
}

// TestErrorsSayWhatIsWrongWithoutGoText gives report, plot, run
// --baseline and target what the QA report found answered in Go's words:
// each gets one plain line, with the exit code for bad input, that says
// what is wrong and what to give instead.
func TestErrorsSayWhatIsWrongWithoutGoText(t *testing.T) {
	tmp := t.TempDir()
	run := savedRunAt(t, "r1", mergeStart, "http://127.0.0.1:1/", 2)
	noHlog := savedRunAt(t, "dmg", mergeStart, "http://127.0.0.1:1/", 2)
	if err := os.Remove(filepath.Join(noHlog, "histograms.hlog")); err != nil {
		t.Fatal(err)
	}
	truncated := savedRunAt(t, "cut", mergeStart, "http://127.0.0.1:1/", 2)
	if err := os.WriteFile(filepath.Join(truncated, "summary.json"), []byte("{\n  \"schema_version\": 1,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	array := filepath.Join(tmp, "array.json")
	cut := filepath.Join(tmp, "cut.json")
	for path, body := range map[string]string{array: "[1, 2]\n", cut: "{\n"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr := busy.Addr().String()
	_, busyPort, _ := net.SplitHostPort(busyAddr)

	const u = "http://127.0.0.1:1/"
	for _, tc := range []badInput{
		{name: "report of no directory", args: []string{"report", filepath.Join(tmp, "none")}, code: ExitUsage, want: []string{"none does not exist", "--out"}},
		{name: "report of a directory without results", args: []string{"report", tmp}, code: ExitUsage, want: []string{"holds no nowait results", "--out"}},
		{name: "report without histograms.hlog", args: []string{"report", noHlog}, code: ExitUsage, want: []string{"has no histograms.hlog", "--out"}},
		{name: "report of a cut summary", args: []string{"report", truncated}, code: ExitUsage, want: []string{"summary.json", "ends early", "--out"}},
		{name: "plot as jpg", args: []string{"plot", run, "-o", filepath.Join(tmp, "x.jpg")}, code: ExitUsage, want: []string{"-o", ".png or .svg", "x.png"}},
		{name: "baseline an array", args: []string{"run", u, "-n", "5", "--baseline", array}, code: ExitUsage, want: []string{"--baseline", "array.json", "holds a JSON array, not an object"}},
		{name: "baseline cut short", args: []string{"run", u, "-n", "5", "--baseline", cut}, code: ExitUsage, want: []string{"--baseline", "cut.json", "ends early"}},
		{name: "target on a port in use", args: []string{"target", "--listen", busyAddr}, code: ExitUsage, want: []string{"--listen " + busyAddr, "port " + busyPort + " is in use", "port 0"}},
		{name: "out under a file", args: []string{"run", u, "-n", "5", "-o", filepath.Join(array, "x")}, code: ExitUsage, want: []string{"--out " + filepath.Join(array, "x") + " cannot be created: " + array + " is a file, not a directory"}},
		{name: "source addresses of two families", args: []string{"run", u, "-n", "5", "--source-ips", "127.0.0.1,::1"}, code: ExitUsage, want: []string{"--source-ips: source address ::1 is not of the target's family"}},
		{name: "target negative delay", args: []string{"target", "--delay", "-1ms"}, code: ExitUsage, want: []string{"--delay must not be negative, got -1ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkNoGoText(t, tc) })
	}
}

// TestCertOutThatCannotBeWrittenIsBadInput: a --cert-out the target could
// not write is refused before it starts, as --out is: exit 2 and one
// line naming the flag, not Go's "open PATH: ..." with exit 1.
func TestCertOutThatCannotBeWrittenIsBadInput(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []badInput{
		{name: "under a file", args: []string{"target", "--listen", "127.0.0.1:0", "--tls", "--cert-out", filepath.Join(file, "x.pem")}, code: ExitUsage, want: []string{"--cert-out " + filepath.Join(file, "x.pem"), "is a file, not a directory"}},
		{name: "a directory", args: []string{"target", "--listen", "127.0.0.1:0", "--tls", "--cert-out", tmp}, code: ExitUsage, want: []string{"--cert-out " + tmp + ": is a directory", "target.pem"}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkNoGoText(t, tc) })
	}
}
