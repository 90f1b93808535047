package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidationGaps: a whole number too large for its flag is called
// too large, with the limit, not "not a whole number"; a duration too
// long, too long; a warm-up shorter than the shortest run is refused as
// -d is; and more event loops than connections is refused, as wrk
// refuses more threads than connections, from flags and scenario files.
func TestValidationGaps(t *testing.T) {
	const u = "http://127.0.0.1:1/"
	for _, tc := range []badInput{
		{name: "requests too large", args: []string{"run", u, "-n", "99999999999999999999"}, code: ExitUsage, want: []string{"-n/--requests", "99999999999999999999 is too large, at most 9,223,372,036,854,775,807"}},
		{name: "connections too large", args: []string{"run", u, "-c", "99999999999999999999"}, code: ExitUsage, want: []string{"-c/--connections", "is too large, at most"}},
		{name: "duration too long", args: []string{"run", u, "-d", "3000000h"}, code: ExitUsage, want: []string{"-d/--duration", "3000000h is too long, at most 2562047h"}},
		{name: "rate too large", args: []string{"run", u, "-R", "1e400"}, code: ExitUsage, want: []string{"-R/--rate", "1e400 is too large"}},
		{name: "warmup too short", args: []string{"run", u, "-n", "10", "--warmup", "1ns"}, code: ExitUsage, want: []string{"--warmup 1ns is too short", "at least 10ms"}},
		{name: "more loops than connections", args: []string{"run", u, "-t", "1000", "-c", "50"}, code: ExitUsage, want: []string{"-t/--loops 1000 is more than -c/--connections 50", "-t 50 or fewer"}},
		{name: "hold more loops than connections", args: []string{"hold", u, "-t", "8", "-c", "5"}, code: ExitUsage, want: []string{"-t/--loops 8 is more than -c/--connections 5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkOneLine(t, tc)
		})
	}
	path := filepath.Join(t.TempDir(), "loops.yaml")
	if err := os.WriteFile(path, []byte("target: "+u+"\nload: {loops: 8, connections: 4}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBin(t, "validate", path)
	if code != ExitUsage || !strings.Contains(stderr, "load.loops: 8 is more than load.connections 4") {
		t.Fatalf("validate: exit %d, stderr %q; want exit %d refusing load.loops", code, stderr, ExitUsage)
	}
}
