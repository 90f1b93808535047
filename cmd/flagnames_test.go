package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagValueErrorsNameTheFlag gives flags values that parse but make
// no sense (NaN, Inf, a directory as a body): the one line names the flag
// typed, never the scenario key it is mapped to, which nobody typed.
func TestFlagValueErrorsNameTheFlag(t *testing.T) {
	const u = "http://127.0.0.1:1/"
	dir := t.TempDir()
	cases := []struct {
		tc  badInput
		key string // the scenario key the line must not name
	}{
		{badInput{name: "rate NaN", args: []string{"run", u, "-R", "NaN"}, code: ExitUsage, want: []string{"-R/--rate must be a number above 0, got NaN"}}, "load.rate"},
		{badInput{name: "rate Inf", args: []string{"run", u, "-R", "Inf"}, code: ExitUsage, want: []string{"-R/--rate must be", "Inf"}}, "load.rate"},
		{badInput{name: "connect rate NaN", args: []string{"hold", u, "--connect-rate", "NaN"}, code: ExitUsage, want: []string{"--connect-rate must be", "NaN"}}, "load.connect_rate"},
		{badInput{name: "stage target NaN", args: []string{"run", u, "--stages", "1s:NaN"}, code: ExitUsage, want: []string{"--stages", `"1s:NaN"`}}, "load.stages"},
		{badInput{name: "stage target Inf", args: []string{"run", u, "--stages", "1s:Inf"}, code: ExitUsage, want: []string{"--stages", `"1s:Inf"`}}, "load.stages"},
		{badInput{name: "body file a directory", args: []string{"run", u, "--body-file", dir}, code: ExitUsage, want: []string{"--body-file: cannot read " + dir + ": is a directory"}}, "body_file"},
	}
	for _, c := range cases {
		t.Run(c.tc.name, func(t *testing.T) {
			t.Parallel()
			checkOneLine(t, c.tc)
			_, stderr, _ := runBin(t, c.tc.args...)
			if strings.Contains(stderr, c.key) {
				t.Errorf("%v: %q names the scenario key %s; want the flag alone", c.tc.args, stderr, c.key)
			}
		})
	}
}

// TestScenarioErrorsStillNameTheirKeys: the same NaN written in a
// scenario file names the key and its line, and given as a flag over a
// file names both the flag and the key it overrides.
func TestScenarioErrorsStillNameTheirKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte("target: http://127.0.0.1:1/\nload:\n  rate: NaN\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkOneLine(t, badInput{args: []string{"run", path}, code: ExitUsage, want: []string{"s.yaml:3: load.rate: must be a number above 0, got NaN"}})
	plain := filepath.Join(t.TempDir(), "plain.yaml")
	if err := os.WriteFile(plain, []byte("target: http://127.0.0.1:1/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkOneLine(t, badInput{args: []string{"run", plain, "-R", "NaN"}, code: ExitUsage, want: []string{"-R/--rate (load.rate): must be a number above 0, got NaN"}})
}
