package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

func TestSetOverrides(t *testing.T) {
	s, err := Load("../examples/checkout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sets := [][2]string{
		{"load.rate", "8000"},
		{"target", "http://127.0.0.1:9000/"},
		{"mode", "goroutine"},
		{"load.connections", "128"},
		{"load.duration", "1m30s"},
		{"load.warmup", "0s"},
		{"load.stages", "30s:100, 1m:1000"},
		{"load.source_ips", "127.0.0.2,127.0.0.3"},
		{"timeouts.request", "750ms"},
		{"timeouts.connect", "2s"},
		{"outputs.dir", "out"},
		{"outputs.json", "true"},
		{"outputs.latency", "true"},
		{"outputs.junit", "r.xml"},
		{"baseline.file", "b.json"},
		{"baseline.max_regression", "5%"},
		{"requests.0.path", "/items?page=2"},
		{"requests[1].method", "head"},
		{"requests[1].headers.Cookie", "session=other"},
		{"requests[1].headers.X-New", "1"},
		{"requests[3].path", "/appended"},
		{"requests[3].headers", "Accept: text/plain"},
		{"thresholds[0]", "p50 < 20ms"},
		{"thresholds[8]", "max < 1s"},
		{"name", "renamed"},
	}
	for _, kv := range sets {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%q, %q): %v", kv[0], kv[1], err)
		}
	}
	l := s.Load
	if l.Rate != 8000 || s.Target != "http://127.0.0.1:9000/" || s.Mode != ModeGoroutine || l.Connections != 128 ||
		l.Duration != 90*time.Second || l.Warmup != 0 || len(l.Stages) != 2 || l.Stages[1] != (Stage{time.Minute, 1000}) ||
		len(l.SourceIPs) != 2 || s.Timeouts != (Timeouts{750 * time.Millisecond, 2 * time.Second}) {
		t.Errorf("load: %+v timeouts %+v", l, s.Timeouts)
	}
	if s.Outputs != (Outputs{Dir: "out", JSON: true, JUnit: "r.xml", Latency: true}) || s.Baseline != (Baseline{"b.json", 0.05}) {
		t.Errorf("outputs %+v baseline %+v", s.Outputs, s.Baseline)
	}
	r := s.Requests
	if len(r) != 4 || r[0].Path != "/items?page=2" || r[1].Method != "HEAD" || r[3].Path != "/appended" ||
		len(r[1].Headers) != 2 || r[1].Headers[0] != (Header{"Cookie", "session=other"}) || r[1].Headers[1] != (Header{"X-New", "1"}) ||
		r[3].Headers[0] != (Header{"Accept", "text/plain"}) {
		t.Errorf("requests: %+v", r)
	}
	if len(s.Thresholds) != 9 || s.Thresholds[0] != "p50 < 20ms" || s.Thresholds[8] != "max < 1s" || s.Name != "renamed" {
		t.Errorf("thresholds %q name %q", s.Thresholds, s.Name)
	}
	if FormatStages(l.Stages) != "30s:100,1m:1000" {
		t.Errorf("FormatStages = %q", FormatStages(l.Stages))
	}
	// The stages conflict with nothing here, but the open model's rate and
	// stages together are fine; the scenario still validates.
	if err := s.Validate(); err != nil && !strings.Contains(err.Error(), "b.json") {
		t.Errorf("Validate: %v", err)
	}
}

func TestSetErrors(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"load.rate", "fast", `--set load.rate: must be a number above 0, got "fast"`},
		{"load.rate", "-1", `--set load.rate: must be a number above 0, got -1`},
		{"load.rte", "5", `--set load.rte: unknown key; did you mean "load.rate"?`},
		{"rate", "5", `--set rate: unknown key; did you mean "load.rate"?`},
		{"laod.rate", "5", `--set laod.rate: unknown key; did you mean "load.rate"?`},
		{"load", "5", `--set load: is a section; set one of its keys, such as load.rate`},
		{"requests", "x", `--set requests: is a section; set one of its keys, such as requests[0].path`},
		{"load.duration", "10", `--set load.duration: must be a duration above 0 such as "10s" or "500ms", got 10`},
		{"load.stages", "30s", `--set load.stages: must be stages as DURATION:TARGET, comma separated, such as "30s:100,1m:1000", got "30s"`},
		{"load.stages", "30s:x", `--set load.stages: stage "30s:x": target must be a number of at least 0, got "x"`},
		{"load.source_ips", "1.2.3", `--set load.source_ips: must be an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9, got "1.2.3"`},
		{"thresholds", "p99 < 5ms,p100 < 1s", `--set thresholds: "p100 < 1s": percentile "p100" is not below 100; want pN with 0 < N < 100 (p50, p95, p99.9, or p(95) as in k6), max, mean or min (the largest value is max)`},
		// Every expression of the list that does not parse, as in a file.
		{"thresholds", "min >= 0us,error_rate <= 100%,p99 < 5", `--set thresholds: "min >= 0us" always passes: min is never below 1us, the shortest time nowait records; want a limit above 1us, such as min >= 50ms` + "\n" +
			`--set thresholds: "error_rate <= 100%" always passes: error_rate is a share, from 0% to 100%; want a limit below 100%, such as error_rate <= 1%` + "\n" +
			`--set thresholds: "p99 < 5": "5" is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m`},
		{"thresholds[5]", "p99 < 5ms", `--set thresholds[5]: index 5 is past the end; there are 2 (use [2] to append)`},
		{"requests[9].path", "/", `--set requests[9].path: index 9 is past the end; there are 1 (use [1] to append)`},
		{"requests[0].pth", "/", `--set requests[0].pth: unknown key; did you mean "requests[0].path"?`},
		{"requests[0].headers.Bad Name", "x", `--set requests[0].headers.Bad Name: header name "Bad Name" is not valid; want a header as "Name: value"`},
		{"requests[0].weight", "0", `--set requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got 0`},
		{"requests[0].weight", "9223372036854775807", `--set requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got 9223372036854775807`},
		{"requests[0].weight", "1000001", `--set requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got 1000001`},
		{"tls.insecure", "yes", `--set tls.insecure: must be true or false, got "yes"`},
		{"tls.resume", "no", `--set tls.resume: must be true or false, got "no"`},
		{"tls", "true", `--set tls: is a section; set one of its keys, such as tls.insecure`},
		{"outputs.json", "maybe", `--set outputs.json: must be true or false, got "maybe"`},
		{"mode", "epoll", `--set mode: must be one of async, sync or goroutine, got "epoll"`},
		{"target", "127.0.0.1:8080", `--set target: "127.0.0.1:8080" has no scheme; want a URL such as http://127.0.0.1:8080/`},
		{"target", "localhost:8080", `--set target: "localhost:8080" has no scheme; want a URL such as http://127.0.0.1:8080/`},
		{"target", "ftp://127.0.0.1/", `--set target: unsupported scheme "ftp" in "ftp://127.0.0.1/"; nowait speaks http and https`},
		{"target", "http:///x", `--set target: "http:///x" has no host; want a URL such as http://127.0.0.1:8080/`},
		{"target", "http://h:0/", `--set target: port "0" in "http://h:0/" is out of range; want 1 to 65535`},
		{"target", "http://h:8080:1/", `--set target: must be a URL such as http://127.0.0.1:8080/, got "http://h:8080:1/"`},
	}
	for _, c := range cases {
		s := &Scenario{Target: "http://127.0.0.1:8080/", Requests: []Request{{Path: "/"}}, Thresholds: []string{"p99 < 1s", "rps > 1"}}
		before := len(s.Thresholds)
		err := s.Set(c.key, c.value)
		if err == nil {
			t.Errorf("Set(%q, %q): no error", c.key, c.value)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("Set(%q, %q):\n got  %s\n want %s", c.key, c.value, err, c.want)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Set(%q): error does not wrap ErrInvalid", c.key)
		}
		if len(s.Thresholds) != before {
			t.Errorf("Set(%q) changed the thresholds on error", c.key)
		}
	}
}

// TestSetKeepsPositions: a --set value is reported as --set by Validate,
// the others keep their file:line.
func TestSetKeepsPositions(t *testing.T) {
	src := "target: http://127.0.0.1:8080/\nload:\n  model: hold\n  rate: 100\n"
	s, err := Parse("h.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "h.yaml:4: load.rate: conflicts with model: hold, which opens connections and holds them; use load.connect_rate and load.every"
	if err := s.Validate(); err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	c := *s // a copy must not see the override's position
	if err := s.Set("load.model", "closed"); err != nil {
		t.Fatal(err)
	}
	want = "h.yaml:4: load.rate: conflicts with model: closed, which sends as fast as responses come; use model: open for a fixed rate"
	if err := s.Validate(); err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	if err := s.Set("load.rate", "5"); err != nil {
		t.Fatal(err)
	}
	want = "--set load.rate: conflicts with model: closed, which sends as fast as responses come; use model: open for a fixed rate"
	if err := s.Validate(); err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	if c.where("load.rate") != "h.yaml:4" || c.Load.Model != engine.ModelHold {
		t.Errorf("the copy changed: %q %q", c.where("load.rate"), c.Load.Model)
	}
	if err := s.SetKeyValue("load.model=open"); err != nil || s.Validate() != nil {
		t.Errorf("SetKeyValue: %v, Validate: %v", err, s.Validate())
	}
	if err := s.SetKeyValue("load.model"); err == nil || err.Error() != `--set: want key=value such as load.rate=1000, got "load.model"` {
		t.Errorf("SetKeyValue without =: %v", err)
	}
}

// TestEveryRunFlagHasAKey: each flag of `nowait run` maps to a key Set
// accepts.
func TestEveryRunFlagHasAKey(t *testing.T) {
	flagKeys := map[string][2]string{
		"connections":     {"load.connections", "10"},
		"duration":        {"load.duration", "5s"},
		"requests":        {"load.requests", "100"},
		"loops":           {"load.loops", "2"},
		"pipeline":        {"load.pipeline", "4"},
		"method":          {"requests[0].method", "POST"},
		"header":          {"requests[0].headers", "X-A: 1"},
		"body":            {"requests[0].body", "{}"},
		"body-file":       {"requests[0].body_file", "x.json"},
		"timeout":         {"timeouts.request", "1s"},
		"connect-timeout": {"timeouts.connect", "1s"},
		"latency":         {"outputs.latency", "true"},
		"json":            {"outputs.json", "true"},
		"rate":            {"load.rate", "100"},
		"warmup":          {"load.warmup", "1s"},
		"stages":          {"load.stages", "1s:10"},
		"mode":            {"mode", "sync"},
		"out":             {"outputs.dir", "d"},
		"junit":           {"outputs.junit", "j.xml"},
		"baseline":        {"baseline.file", "b.json"},
		"max-regression":  {"baseline.max_regression", "10%"},
		"insecure":        {"tls.insecure", "true"},
		"cacert":          {"tls.ca_file", "ca.pem"},
		"no-tls-resume":   {"tls.resume", "false"},
	}
	for flag, kv := range flagKeys {
		var s Scenario
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Errorf("--%s -> %s: %v", flag, kv[0], err)
		}
	}
}
