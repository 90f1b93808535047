package cmd

import (
	"strings"
	"testing"
)

// badInput is one command line the CLI must refuse, or one run that must
// fail plainly: the exit code and what the one line on stderr must say
// (every string in want; the flag or value at fault among them).
type badInput struct {
	name string
	args []string
	code int
	want []string
}

// badInputs covers issue 8's bad input: URLs, schemes, ports, counts,
// durations, rates, body files, modes, conflicting flags, for run, hold
// and target. cli_test.go's TestBadInputExitsWithUsageError has more.
func badInputs(bodyDir string) []badInput {
	const u = "http://127.0.0.1:1/"
	return []badInput{
		// Malformed URLs and unsupported schemes.
		{name: "url without host", args: []string{"run", "http://"}, code: ExitUsage, want: []string{`"http://"`, "no host"}},
		{name: "url port not a number", args: []string{"run", "http://127.0.0.1:abc/"}, code: ExitUsage, want: []string{"malformed URL", ":abc"}},
		{name: "url unclosed ipv6", args: []string{"run", "http://[::1/"}, code: ExitUsage, want: []string{"malformed URL", "[::1"}},
		{name: "url no scheme", args: []string{"run", "://x"}, code: ExitUsage, want: []string{"malformed URL", "://x"}},
		{name: "url with a space", args: []string{"run", "http://127.0.0.1:1/a b"}, code: ExitUsage, want: []string{"malformed URL", "a b"}},
		{name: "ws scheme", args: []string{"run", "ws://127.0.0.1:1/"}, code: ExitUsage, want: []string{`unsupported scheme "ws"`}},
		{name: "file scheme", args: []string{"run", "file:///etc/passwd"}, code: ExitUsage, want: []string{`unsupported scheme "file"`}},
		{name: "hold ftp scheme", args: []string{"hold", "ftp://127.0.0.1:1/"}, code: ExitUsage, want: []string{`unsupported scheme "ftp"`}},

		// Ports out of range.
		{name: "port 0", args: []string{"run", "http://127.0.0.1:0/"}, code: ExitUsage, want: []string{`port "0"`, "out of range"}},
		{name: "port 65536", args: []string{"run", "http://127.0.0.1:65536/"}, code: ExitUsage, want: []string{`port "65536"`, "out of range"}},
		{name: "port negative", args: []string{"run", "http://127.0.0.1:-1/"}, code: ExitUsage, want: []string{":-1"}},
		{name: "hold port 70000", args: []string{"hold", "http://127.0.0.1:70000/"}, code: ExitUsage, want: []string{`port "70000"`}},
		{name: "target listen port 99999", args: []string{"target", "--listen", "127.0.0.1:99999"}, code: ExitUsage, want: []string{"--listen", "99999"}},

		// Zero or negative counts and durations.
		{name: "hold zero connections", args: []string{"hold", u, "-c", "0"}, code: ExitUsage, want: []string{"--connections", "got 0"}},
		{name: "hold negative connections", args: []string{"hold", u, "-c", "-5"}, code: ExitUsage, want: []string{"--connections", "-5"}},
		{name: "negative requests", args: []string{"run", u, "-n", "-1"}, code: ExitUsage, want: []string{"--requests", "-1"}},
		{name: "zero requests", args: []string{"run", u, "-n", "0", "-d", "1s"}, code: ExitUsage, want: []string{"--requests", "0"}},
		{name: "negative duration", args: []string{"run", u, "-d", "-5s"}, code: ExitUsage, want: []string{"--duration", "-5s"}},
		{name: "zero duration", args: []string{"run", u, "-d", "0s"}, code: ExitUsage, want: []string{"--duration", "0s"}},
		{name: "hold zero duration", args: []string{"hold", u, "-d", "0s"}, code: ExitUsage, want: []string{"--duration", "0s"}},
		{name: "zero timeout", args: []string{"run", u, "--timeout", "0s"}, code: ExitUsage, want: []string{"--timeout", "0s"}},
		{name: "negative timeout", args: []string{"run", u, "--timeout", "-1s"}, code: ExitUsage, want: []string{"--timeout", "-1s"}},
		{name: "zero connect timeout", args: []string{"run", u, "--connect-timeout", "0s"}, code: ExitUsage, want: []string{"--connect-timeout", "0s"}},
		{name: "negative warmup", args: []string{"run", u, "--warmup", "-1s"}, code: ExitUsage, want: []string{"--warmup", "-1s"}},
		{name: "negative loops", args: []string{"run", u, "--loops", "-1"}, code: ExitUsage, want: []string{"--loops", "-1"}},
		{name: "loops in sync mode", args: []string{"run", u, "-t", "4", "--mode", "sync"}, code: ExitUsage, want: []string{"-t/--loops 4", "sync mode has none"}},
		{name: "negative pipeline", args: []string{"run", u, "--pipeline", "-2"}, code: ExitUsage, want: []string{"--pipeline", "-2"}},
		{name: "hold negative every", args: []string{"hold", u, "--every", "-1s"}, code: ExitUsage, want: []string{"--every", "-1s"}},
		{name: "hold negative connect rate", args: []string{"hold", u, "--connect-rate", "-1"}, code: ExitUsage, want: []string{"--connect-rate", "-1"}},
		{name: "duration without unit", args: []string{"run", u, "--timeout", "5"}, code: ExitUsage, want: []string{"--timeout", `"5" has no unit`, "5s"}},

		// Values that do not parse: the flag and the kind of value wanted, not strconv's words.
		{name: "connections not a number", args: []string{"run", u, "-c", "abc"}, code: ExitUsage, want: []string{"-c/--connections", `"abc" is not a whole number`}},
		{name: "requests a fraction", args: []string{"run", u, "-n", "1.5"}, code: ExitUsage, want: []string{"-n/--requests", `"1.5" is not a whole number`}},
		{name: "rate not a number", args: []string{"run", u, "-R", "abc"}, code: ExitUsage, want: []string{"-R/--rate", `"abc" is not a number`}},
		{name: "duration not a duration", args: []string{"run", u, "-d", "abc"}, code: ExitUsage, want: []string{"-d/--duration", `"abc" is not a duration`, "10s"}},
		{name: "demo connections not a number", args: []string{"demo", "-c", "x"}, code: ExitUsage, want: []string{"-c/--connections", `"x" is not a whole number`}},
		{name: "zero loops", args: []string{"run", u, "-t", "0"}, code: ExitUsage, want: []string{"-t/--loops", "got 0", "one per CPU"}},
		{name: "empty stages", args: []string{"run", u, "--stages", ""}, code: ExitUsage, want: []string{"--stages is empty", "10s:1000"}},
		{name: "warmup with stages", args: []string{"run", u, "--stages", "1s:5", "--warmup", "1s"}, code: ExitUsage, want: []string{"--warmup and --stages conflict", "first stage"}},
		{name: "warmup with a connection ramp", args: []string{"run", u, "--closed", "--stages", "1s:5", "--warmup", "1s"}, code: ExitUsage, want: []string{"--warmup and --stages conflict"}},
		{name: "duration too short", args: []string{"run", u, "-d", "100us"}, code: ExitUsage, want: []string{"-d/--duration 100µs is too short", "at least 10ms"}},
		{name: "empty port", args: []string{"run", "http://127.0.0.1:/"}, code: ExitUsage, want: []string{"empty port", ":8080"}},
		{name: "header name with a space", args: []string{"run", u, "-H", "Bad Name: v"}, code: ExitUsage, want: []string{`"Bad Name"`, "white space"}},

		// Rates below zero.
		{name: "zero rate", args: []string{"run", u, "-R", "0"}, code: ExitUsage, want: []string{"--rate", "got 0"}},
		{name: "negative rate", args: []string{"run", u, "-R", "-5"}, code: ExitUsage, want: []string{"--rate", "-5"}},
		{name: "negative fractional rate", args: []string{"run", u, "-R", "-0.5"}, code: ExitUsage, want: []string{"--rate", "-0.5"}},
		{name: "negative stage target", args: []string{"run", u, "--stages", "1s:-5"}, code: ExitUsage, want: []string{"--stages", "1s:-5"}},

		// Body files that cannot be read.
		{name: "body file is a directory", args: []string{"run", u, "--body-file", bodyDir}, code: ExitUsage, want: []string{"cannot read " + bodyDir}},
		{name: "body file missing", args: []string{"run", u, "--body-file", bodyDir + "/none.json"}, code: ExitUsage, want: []string{"cannot read " + bodyDir + "/none.json"}},

		// Unknown modes and kinds.
		{name: "hold unknown mode", args: []string{"hold", u, "--mode", "bogus"}, code: ExitUsage, want: []string{`unknown mode "bogus"`}},
		{name: "target unknown fault", args: []string{"target", "--fault", "bogus"}, code: ExitUsage, want: []string{"--fault", `"bogus"`}},
		{name: "target fault over 100%", args: []string{"target", "--fault", "reset:200"}, code: ExitUsage, want: []string{"--fault", `"200"`}},
		{name: "target negative body size", args: []string{"target", "--body-size", "-1"}, code: ExitUsage, want: []string{"--body-size", "-1"}},

		// Conflicting flags.
		{name: "requests with stages", args: []string{"run", u, "-n", "100", "--stages", "1s:100"}, code: ExitUsage, want: []string{"--requests", "--stages"}},
		{name: "duration with stages", args: []string{"run", u, "-d", "5s", "--stages", "1s:100"}, code: ExitUsage, want: []string{"--duration", "--stages"}},
		{name: "body with body file", args: []string{"run", u, "--body", "x", "--body-file", "/etc/hostname"}, code: ExitUsage, want: []string{"--body", "--body-file"}},
		{name: "closed without stages", args: []string{"run", u, "--closed"}, code: ExitUsage, want: []string{"--closed", "--stages"}},
		{name: "closed with rate", args: []string{"run", u, "-R", "100", "--closed", "--stages", "1s:10"}, code: ExitUsage, want: []string{"--closed", "--rate"}},
		{name: "hold with rate", args: []string{"hold", u, "-R", "100"}, code: ExitUsage, want: []string{"--rate", "hold"}},
		{name: "hold with requests", args: []string{"hold", u, "-n", "100"}, code: ExitUsage, want: []string{"--requests", "hold"}},
		{name: "hold with stages", args: []string{"hold", u, "--stages", "1s:10"}, code: ExitUsage, want: []string{"--stages", "hold"}},
		{name: "target refuse longer than period", args: []string{"target", "--refuse", "1s", "--refuse-every", "500ms"}, code: ExitUsage, want: []string{"refuse 1s", "500ms"}},
	}
}

// TestBadInputOneLineUsage runs the built binary on each bad input and
// checks the exit code, that stderr is exactly one line, and that it names
// what is wrong.
func TestBadInputOneLineUsage(t *testing.T) {
	for _, tc := range badInputs(t.TempDir()) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkOneLine(t, tc)
		})
	}
}

// TestTargetDownSaysSoPlainly runs against a port nothing listens on, in
// every mode, with run and hold: exit code 1 and one plain line that names
// the address and the refusal.
func TestTargetDownSaysSoPlainly(t *testing.T) {
	addr := closedPort(t)
	for _, cmd := range []string{"run", "hold"} {
		for _, mode := range []string{"async", "sync", "goroutine"} {
			tc := badInput{
				name: cmd + "/" + mode,
				args: []string{cmd, "http://" + addr + "/", "-c", "4", "-d", "500ms", "--mode", mode},
				code: ExitRunFailed,
				want: []string{"no connection could be made to " + addr, "connection refused"},
			}
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				checkOneLine(t, tc)
			})
		}
	}
	t.Run("exact", func(t *testing.T) {
		tc := badInput{
			args: []string{"run", "http://" + addr + "/", "-c", "4", "-d", "500ms"},
			code: ExitRunFailed,
			want: []string{"nowait: no connection could be made to " + addr + ": connection refused\n"},
		}
		checkOneLine(t, tc)
	})
	t.Run("errors line", func(t *testing.T) {
		// Only connects failed: the summary counts them as failed
		// attempts, all of them.
		stdout, _, _ := runBin(t, "run", "http://"+addr+"/", "-c", "2", "-d", "300ms")
		line := ""
		for _, l := range strings.Split(stdout, "\n") {
			if strings.Contains(l, "Errors") {
				line = l
			}
		}
		if !strings.Contains(line, "connect refused") || !strings.Contains(line, "(100.00% of ") {
			t.Fatalf("errors line %q, want connect refused counted as 100%% of the attempts\n%s", line, stdout)
		}
	})
}

// checkOneLine runs one case and checks its exit code and its one line.
func checkOneLine(t *testing.T, tc badInput) {
	t.Helper()
	stdout, stderr, code := runBin(t, tc.args...)
	if code != tc.code {
		t.Fatalf("%v: exit code %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, stdout, stderr)
	}
	if lines := strings.Count(strings.TrimRight(stderr, "\n"), "\n") + 1; lines != 1 || stderr == "" {
		t.Fatalf("%v: stderr is %d lines, want one: %q", tc.args, lines, stderr)
	}
	for _, w := range tc.want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%v: stderr %q does not contain %q", tc.args, stderr, w)
		}
	}
}
