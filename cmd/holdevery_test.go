package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHoldEveryNotShorterThanTheRun: hold sends a connection's first
// request one --every after it opens, so an --every as long as the run
// sends nothing; it is refused up front (exit 2, one line), from flags
// and from a scenario file alike, where it was a run of nothing that
// exited 0 under a header promising requests.
func TestHoldEveryNotShorterThanTheRun(t *testing.T) {
	const u = "http://127.0.0.1:1/"
	for _, tc := range []badInput{
		{name: "longer", args: []string{"hold", u, "-c", "5", "-d", "1s", "--every", "2s"}, code: ExitUsage, want: []string{"--every 2s is not shorter than -d 1s", "no request would be sent"}},
		{name: "equal", args: []string{"hold", u, "-c", "5", "-d", "1s", "--every", "1s"}, code: ExitUsage, want: []string{"--every 1s is not shorter than -d 1s"}},
		{name: "the default duration", args: []string{"hold", u, "-c", "5", "--every", "10s"}, code: ExitUsage, want: []string{"--every 10s is not shorter than the default -d 10s"}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkOneLine(t, tc) })
	}
	path := filepath.Join(t.TempDir(), "hold.yaml")
	if err := os.WriteFile(path, []byte("target: "+u+"\nload:\n  model: hold\n  every: 2s\n  duration: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBin(t, "validate", path)
	if code != ExitUsage || !strings.Contains(stderr, "hold.yaml:4: load.every: 2s is not shorter than load.duration 1s") {
		t.Fatalf("validate: exit %d, stderr %q; want exit %d naming load.every and load.duration", code, stderr, ExitUsage)
	}
}
