package cmd

import (
	"strings"
	"testing"

	"github.com/nowait/nowait/target"
)

// TestIgnoredOptionsAreRefused: an option that would be accepted and
// then ignored is one line and exit 2: a flag given empty (-o "" wrote
// nothing and said nothing), hold's request flags without --every (it
// sends no request), and --connect-rate 0, refused as -R 0 and --every 0
// are.
func TestIgnoredOptionsAreRefused(t *testing.T) {
	const u = "http://127.0.0.1:1/"
	for _, tc := range []badInput{
		{name: "run empty out", args: []string{"run", u, "-o", ""}, want: []string{"-o/--out is empty; give a directory such as results/today, or leave it out"}},
		{name: "run empty junit", args: []string{"run", u, "--junit", ""}, want: []string{"--junit is empty"}},
		{name: "run empty cacert", args: []string{"run", u, "--cacert", " "}, want: []string{"--cacert is empty"}},
		{name: "run empty mode", args: []string{"run", u, "--mode", ""}, want: []string{"--mode is empty; give async, sync or goroutine"}},
		{name: "hold empty out", args: []string{"hold", u, "--out="}, want: []string{"-o/--out is empty"}},
		{name: "compare empty out", args: []string{"compare", "--out", ""}, want: []string{"--out is empty"}},
		{name: "plot empty output", args: []string{"plot", "results", "-o", ""}, want: []string{"-o/--output is empty"}},
		{name: "hold method without every", args: []string{"hold", u, "-m", "POST", "--body", "x"}, want: []string{"-m/--method: hold sends no request without --every; add --every"}},
		{name: "hold body without every", args: []string{"hold", u, "--body", "x"}, want: []string{"--body: hold sends no request without --every"}},
		{name: "hold header without every", args: []string{"hold", u, "-H", "X-A: b"}, want: []string{"-H/--header: hold sends no request without --every"}},
		{name: "hold timeout without every", args: []string{"hold", u, "--timeout", "1s"}, want: []string{"--timeout: hold sends no request without --every"}},
		{name: "hold connect rate 0", args: []string{"hold", u, "--connect-rate", "0"}, want: []string{"--connect-rate must be positive, got 0; leave it out for no limit"}},
		{name: "compare connect rate 0", args: []string{"compare", "--model", "hold", "--connect-rate", "0"}, want: []string{"--connect-rate must be positive, got 0; leave it out for no limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.code = ExitUsage
			checkOneLine(t, tc)
		})
	}
}

// TestHoldRequestFlagsWithEvery: with --every, hold's request flags are
// used; compare's hold cells, given --every and no --connect-rate, run
// (the cells were given --connect-rate 0, which hold now refuses).
func TestHoldRequestFlagsWithEvery(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "http://" + srv.Addr() + "/"
	stdout, stderr, code := runBin(t, "hold", url, "-c", "2", "-d", "300ms", "--every", "50ms", "-m", "POST", "--body", "x", "-H", "X-A: b", "--timeout", "1s", "--json")
	if s := summaryOf(t, stdout, stderr); code != ExitOK || s.Responses == 0 {
		t.Fatalf("exit %d, %d responses\n%s", code, s.Responses, stderr)
	}
	stdout, stderr, code = runBin(t, "compare", url, "--model", "hold", "--every", "100ms", "--modes", "async", "--connections", "2", "-d", "300ms", "--pause", "0s")
	if code != ExitOK || strings.Contains(stdout, "failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
}
