package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, every error
// must be one line or more of "name..." text, and a parsed scenario must
// validate without panicking.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*.yaml")
	broken, _ := filepath.Glob("testdata/broken/*.yaml")
	for _, p := range append(seeds, broken...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("requests:\n  - <<: [*a]\n"))
	f.Add([]byte("x: &a {b: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml") {
					t.Fatalf("error line without the file name: %q", line)
				}
			}
			return
		}
		_ = s.Validate()
		for _, th := range s.Thresholds {
			if _, err := ParseThreshold(th); err != nil {
				t.Fatalf("a parsed threshold does not parse again: %v", err)
			}
		}
	})
}

// FuzzParseThreshold: no panic, and a threshold that parses evaluates.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99 < 50ms", "status.5xx < 0.1%", "errors.timeout == 0", "error_rate<1%", "rps >= 1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		th, err := ParseThreshold(expr)
		if err != nil {
			return
		}
		th.Evaluate(summary())
	})
}
