package scenarios

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

var update = flag.Bool("update", false, "rewrite the golden .err files of testdata/broken")

// TestBrokenFilesGolden loads (then validates) every file of
// testdata/broken and compares the whole error text with its .err file.
func TestBrokenFilesGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil || len(files) < 15 {
		t.Fatalf("want the broken files, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err == nil {
				err = s.Validate()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%swant:\n%s", got, want)
			}
		})
	}
}

// TestParseErrors pins the exact messages of the most common mistakes.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"rate not a number", "target: http://127.0.0.1:8080/\nload:\n  model: open\n  rate: fast\n",
			`checkout.yaml:4: load.rate: must be a number above 0, got "fast"`},
		{"rate zero", "load:\n  rate: 0\n", `checkout.yaml:2: load.rate: must be a number above 0, got 0`},
		{"rate empty", "load:\n  rate:\n", `checkout.yaml:2: load.rate: must be a number above 0, got ""`},
		{"rate a list", "load:\n  rate: [1, 2]\n", `checkout.yaml:2: load.rate: must be a number above 0, got a list`},
		{"connections float", "load:\n  connections: 1.5\n", `checkout.yaml:2: load.connections: must be an integer of at least 1, got 1.5`},
		{"unknown key typo", "load:\n  rte: 5\n", `checkout.yaml:2: load.rte: unknown key; did you mean "load.rate"?`},
		{"unknown key other section", "target: http://x/\nconnections: 5\n", `checkout.yaml:2: connections: unknown key; did you mean "load.connections"?`},
		{"unknown key case", "Target: http://x/\n", `checkout.yaml:1: Target: unknown key; did you mean "target"?`},
		{"unknown request key", "requests:\n  - path: /\n    bdy: x\n", `checkout.yaml:3: requests[0].bdy: unknown key; did you mean "requests[0].body"?`},
		{"unknown stage key", "load:\n  stages:\n    - {duration: 1s, targt: 5}\n",
			"checkout.yaml:3: load.stages[0].targt: unknown key; did you mean \"load.stages[0].target\"?\n" +
				"checkout.yaml:3: load.stages[0]: missing target; a stage is {duration: 30s, target: 1000}"},
		{"duration bare number", "load:\n  duration: 10\n", `checkout.yaml:2: load.duration: must be a duration above 0 such as "10s" or "500ms", got 10`},
		{"warmup negative", "load:\n  warmup: -1s\n", `checkout.yaml:2: load.warmup: must be a duration such as "5s" (or "0s"), got "-1s"`},
		{"percent", "baseline:\n  max_regression: 10\n", `checkout.yaml:2: baseline.max_regression: must be a percentage above 0 such as 10%, got 10; write the % sign (10% or 1000%?)`},
		{"source ip", "load:\n  source_ips: [127.0.0.2, nope]\n", `checkout.yaml:2: load.source_ips[1]: must be an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9, got "nope"`},
		{"header list", "requests:\n  - headers:\n      - \"X-A: 1\"\n      - no colon\n", `checkout.yaml:4: requests[0].headers[1]: must be a header as "Name: value", got "no colon"`},
		{"duplicate", "name: a\nname: b\n", `checkout.yaml:2: bad YAML: mapping key "name" already defined at [1:1]`},
		{"two documents", "name: a\n---\nname: b\n", `checkout.yaml:3: only one YAML document per scenario file`},
		{"tls insecure not a bool", "tls:\n  insecure: maybe\n", `checkout.yaml:2: tls.insecure: must be true or false, got "maybe"`},
		{"tls resume not a bool", "tls:\n  resume: never\n", `checkout.yaml:2: tls.resume: must be true or false, got "never"`},
		{"tls resume typo", "tls:\n  resum: false\n", `checkout.yaml:2: tls.resum: unknown key; did you mean "tls.resume"?`},
		{"tls unknown key", "tls:\n  insecur: true\n", `checkout.yaml:2: tls.insecur: unknown key; did you mean "tls.insecure"?`},
		{"tls ca_file empty", "tls:\n  ca_file: \"\"\n", `checkout.yaml:2: tls.ca_file: must be a file name, got ""`},
		{"tls ca_file typo", "tls:\n  cafile: a.pem\n", `checkout.yaml:2: tls.cafile: unknown key; did you mean "tls.ca_file"?`},
		{"insecure at the top", "insecure: true\n", `checkout.yaml:1: insecure: unknown key; did you mean "tls.insecure"?`},
		{"tls not a mapping", "tls: true\n", `checkout.yaml:1: tls: must be a mapping of keys such as insecure, got "true"`},
		{"comment only", "# nothing\n", `checkout.yaml: the file is empty; want a mapping with at least a target`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("checkout.yaml", []byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != c.want {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

func TestParseFull(t *testing.T) {
	src := `
name: full
target: http://127.0.0.1:8080/base?x=1
mode: sync
load:
  model: hold
  connections: 1000
  duration: 1m
  warmup: 2s
  loops: 2
  pipeline: 4
  connect_rate: 500
  every: 250ms
  source_ips: [127.0.0.2, "::1"]
requests:
  - {method: post, path: /a, body: hello, weight: 3}
  - path: /b
    headers:
      - "X-One: 1"
      - "X-Two:  two "
timeouts: {request: 3s, connect: 750ms}
thresholds: ["p99 < 50ms"]
outputs: {dir: out, json: true, junit: j.xml, latency: true}
baseline: {file: base.json, max_regression: 5%}
`
	s, err := Parse("full.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l := s.Load
	if s.Name != "full" || s.Mode != ModeSync || l.Model != engine.ModelHold || l.Connections != 1000 ||
		l.Duration != time.Minute || l.Warmup != 2*time.Second || l.Loops != 2 || l.Pipeline != 4 ||
		l.ConnectRate != 500 || l.Every != 250*time.Millisecond || len(l.SourceIPs) != 2 || l.SourceIPs[1].String() != "::1" {
		t.Errorf("load: %+v", s)
	}
	if len(s.Requests) != 2 || s.Requests[0].Method != "POST" || s.Requests[0].Body != "hello" || s.Requests[0].Weight != 3 ||
		s.Requests[1].Path != "/b" || len(s.Requests[1].Headers) != 2 || s.Requests[1].Headers[1] != (Header{"X-Two", "two"}) {
		t.Errorf("requests: %+v", s.Requests)
	}
	if s.Timeouts.Request != 3*time.Second || s.Timeouts.Connect != 750*time.Millisecond {
		t.Errorf("timeouts: %+v", s.Timeouts)
	}
	if s.Outputs != (Outputs{Dir: "out", JSON: true, JUnit: "j.xml", Latency: true}) {
		t.Errorf("outputs: %+v", s.Outputs)
	}
	if s.Baseline.File != "base.json" || s.Baseline.MaxRegression != 0.05 {
		t.Errorf("baseline: %+v", s.Baseline)
	}
	if len(s.Thresholds) != 1 || s.NameOrDefault() != "full" {
		t.Errorf("thresholds %v name %q", s.Thresholds, s.NameOrDefault())
	}
}

// TestBodyFileRelativeToScenario: what a scenario sends (body_file) is
// found beside it, as k6's open() finds files beside the script.
func TestBodyFileRelativeToScenario(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bodies"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bodies", "b.json"), []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "s.yaml")
	src := "target: http://127.0.0.1:1/\nrequests:\n  - {method: POST, body_file: bodies/b.json}\n  - {body_file: /abs/x}\n" +
		"outputs: {dir: results/main, junit: results/junit.xml}\nbaseline: {file: results/main/summary.json}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "bodies", "b.json"); s.Requests[0].BodyFile != want {
		t.Errorf("body_file %q, want %q", s.Requests[0].BodyFile, want)
	}
	if s.Requests[1].BodyFile != "/abs/x" {
		t.Errorf("absolute body_file changed: %q", s.Requests[1].BodyFile)
	}
	if s.NameOrDefault() != "s" {
		t.Errorf("name %q", s.NameOrDefault())
	}
	// What runs write and read back (results, a baseline) is relative to
	// the working directory, as flags are: one run's outputs.dir and the
	// next run's baseline.file name the same file.
	if s.Outputs.Dir != "results/main" || s.Outputs.JUnit != "results/junit.xml" || s.Baseline.File != "results/main/summary.json" {
		t.Errorf("outputs %+v, baseline %+v: want them as written", s.Outputs, s.Baseline)
	}
	// Parse has no directory: relative stays relative.
	s2, err := Parse("s.yaml", []byte(src))
	if err != nil || s2.Requests[0].BodyFile != "bodies/b.json" {
		t.Errorf("Parse body_file %q, %v", s2.Requests[0].BodyFile, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml")
	if err == nil || err.Error() != "cannot read scenario testdata/nope.yaml: no such file or directory" || !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v", err)
	}
}

// TestExamplesValidate loads and validates every example scenario.
func TestExamplesValidate(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	if len(files) < 4 {
		t.Fatalf("want at least 4 examples, got %v", files)
	}
	for _, f := range files {
		s, err := Load(f)
		if err == nil {
			err = s.Validate()
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"rate", "rate", 0}, {"rte", "rate", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"µs", "us", 1}} {
		if got := levenshtein(c.a, c.b); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// TestAnchorsAndMerge: x- keys hold anchors, aliases and merge keys share
// them, and explicit keys win over merged ones.
func TestAnchorsAndMerge(t *testing.T) {
	src := `
x-json: &json
  method: POST
  headers: {Content-Type: application/json}
  weight: 2
x-path: &p /shared
target: http://127.0.0.1:8080/
requests:
  - <<: *json
    path: /a
    weight: 5
  - path: *p
    <<: [*json]
`
	s, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Requests
	if len(r) != 2 || r[0].Method != "POST" || r[0].Path != "/a" || r[0].Weight != 5 || len(r[0].Headers) != 1 ||
		r[1].Path != "/shared" || r[1].Method != "POST" || r[1].Weight != 2 {
		t.Errorf("%+v", r)
	}
	_, err = Parse("m.yaml", []byte("target: http://h/\nrequests:\n  - <<: 5\n"))
	if err == nil || err.Error() != "m.yaml:3: requests[0]: << must merge a mapping, such as <<: *defaults" {
		t.Errorf("got %v", err)
	}
}

// TestRecursiveAnchors: an anchor merged into itself, or aliases that
// multiply, end with an error instead of a stack overflow.
func TestRecursiveAnchors(t *testing.T) {
	cases := map[string]string{
		"load: &a {<<: *a}\n":    "f.yaml:1: load: << merges too deep or too often; is an anchor merged into itself?",
		"requests: &r\n  - *r\n": "f.yaml:2: requests[0]: must be a mapping such as {method: GET, path: /}, got a list",
		"thresholds: &a [*a]\n":  `f.yaml:1: thresholds[0]: must be an expression such as "p99 < 50ms", got a list`,
		laughs(10):               "f.yaml:8: load: << merges too deep or too often; is an anchor merged into itself?",
	}
	for src, want := range cases {
		start := time.Now()
		_, err := Parse("f.yaml", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got  %v\n want %s", src, err, want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%q took %s", src, d)
		}
	}
}

// laughs builds n anchors, each merging the previous one ten times.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("x-0: &a0 {model: open}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]}\n")
	}
	fmt.Fprintf(&b, "load: {<<: *a%d}\n", n)
	return b.String()
}

// TestParseByteOrderMarkAndBinary: a UTF-8 byte order mark is no part of
// the first key; a binary file is refused in one line with its bad byte
// quoted, and a key with control bytes is quoted in messages.
func TestParseByteOrderMarkAndBinary(t *testing.T) {
	s, err := Parse("bom.yaml", []byte("\ufefftarget: http://127.0.0.1:8080/\n"))
	if err != nil || s.Target != "http://127.0.0.1:8080/" {
		t.Fatalf("with a byte order mark: %v", err)
	}
	_, err = Parse("bin.yaml", []byte("target: x\n\x00\x01\xff\xfe"))
	if err == nil || err.Error() != "bin.yaml:2: byte 0x00 at offset 10 is not UTF-8 text; want a YAML scenario file (is this a binary file?)" {
		t.Fatalf("binary: %v", err)
	}
	_, err = Parse("latin1.yaml", []byte("name: caf\xe9\ntarget: http://127.0.0.1:8080/\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "latin1.yaml:1: byte 0xe9 at offset 9 is not UTF-8 text") {
		t.Fatalf("latin-1: %v", err)
	}
	_, err = Parse("ctl.yaml", []byte("target: http://127.0.0.1:8080/\n\"a\\x01b\": 1\n"))
	if err == nil || !strings.HasPrefix(err.Error(), `ctl.yaml:2: "a\x01b": unknown key`) {
		t.Fatalf("control bytes in a key: %v", err)
	}
}
