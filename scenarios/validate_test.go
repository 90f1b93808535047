package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
)

// TestValidateBuiltInCode: a Scenario built by cmd from flags has no
// positions; problems read "key: message", one per line.
func TestValidateBuiltInCode(t *testing.T) {
	cases := []struct {
		name string
		s    Scenario
		want string
	}{
		{"ok", Scenario{Target: "http://127.0.0.1:8080/"}, ""},
		{"https goroutine ok", Scenario{Target: "https://127.0.0.1/", Mode: ModeGoroutine}, ""},
		{"https sync ok", Scenario{Target: "https://127.0.0.1/", Mode: ModeSync}, ""},
		{"https async ok", Scenario{Target: "https://127.0.0.1/"}, ""},
		{"loops in sync mode", Scenario{Target: "http://h/", Mode: ModeSync, Load: LoadSpec{Loops: 2}},
			"load.loops: event loops are async mode's; sync mode has none (one thread per connection): drop load.loops, or use mode: async"},
		{"loops in goroutine mode", Scenario{Target: "http://h/", Mode: ModeGoroutine, Load: LoadSpec{Loops: 2}},
			"load.loops: event loops are async mode's; goroutine mode has none (one goroutine per connection): drop load.loops, or use mode: async"},
		{"no target", Scenario{}, "target: missing; want a URL such as http://127.0.0.1:8080/"},
		{"negative everything", Scenario{Target: "http://h/", Load: LoadSpec{
			Connections: -1, Requests: -2, Rate: -3, Duration: -time.Second, Warmup: -time.Second, Pipeline: -1, Loops: -1,
		}, Timeouts: Timeouts{Request: -time.Second}},
			"load.connections: must be an integer of at least 1, got -1\n" +
				"load.requests: must be an integer of at least 1, got -2\n" +
				"load.loops: must be an integer of at least 1, got -1\n" +
				"load.pipeline: must be an integer of at least 1, got -1\n" +
				"load.rate: must be a number above 0, got -3\n" +
				`load.duration: must be a duration above 0 such as "10s" or "500ms", got "-1s"` + "\n" +
				`load.warmup: must be a duration such as "5s" (or "0s"), got "-1s"` + "\n" +
				`timeouts.request: must be a duration above 0 such as "10s" or "500ms", got "-1s"`},
		{"open without rate", Scenario{Target: "http://h/", Load: LoadSpec{Model: engine.ModelOpen}},
			"load.model: the open model needs load.rate or load.stages (requests per second)"},
		{"open with stages", Scenario{Target: "http://h/", Load: LoadSpec{Model: engine.ModelOpen, Stages: []Stage{{time.Second, 10}}}}, ""},
		{"hold with rate and stages", Scenario{Target: "http://h/", Load: LoadSpec{Model: engine.ModelHold, Rate: 5, Stages: []Stage{{time.Second, 10}}}},
			"load.rate: conflicts with model: hold, which opens connections and holds them; use load.connect_rate and load.every\n" +
				"load.stages: conflicts with model: hold; use load.connect_rate to pace the connects"},
		{"hold with what hold ignores", Scenario{Target: "http://h/", Load: LoadSpec{Model: engine.ModelHold, Requests: 30, Pipeline: 4, Warmup: time.Second, Every: 100 * time.Microsecond}},
			"load.requests: conflicts with model: hold, which runs for load.duration; drop load.requests\n" +
				"load.pipeline: conflicts with model: hold, which sends at most one request per connection every load.every; drop load.pipeline\n" +
				"load.warmup: conflicts with model: hold, which measures every connect from the start; drop load.warmup (pace the connects with load.connect_rate)\n" +
				"load.every: 100µs is shorter than a millisecond; want 1ms or more, or model: open with load.rate for a request rate"},
		{"hold with pipeline 1", Scenario{Target: "http://h/", Load: LoadSpec{Model: engine.ModelHold, Pipeline: 1, Every: time.Millisecond}}, ""},
		{"every without hold", Scenario{Target: "http://h/", Load: LoadSpec{Every: time.Second, ConnectRate: 5}},
			"load.connect_rate: only the hold model paces connects; set model: hold\n" +
				"load.every: only the hold model sends on an interval; set model: hold"},
		{"requests with stages", Scenario{Target: "http://h/", Load: LoadSpec{Requests: 10, Stages: []Stage{{time.Second, 10}}}},
			"load.requests: conflicts with load.stages; a ramp ends when its stages end"},
		{"warm-up with stages", Scenario{Target: "http://h/", Load: LoadSpec{Warmup: time.Second, Stages: []Stage{{time.Second, 10}}}},
			"load.warmup: conflicts with load.stages: a ramp is its own warm-up; make its first stage the warm-up (such as 10s:500) and leave the warm-up out"},
		{"bad stage", Scenario{Target: "http://h/", Load: LoadSpec{Stages: []Stage{{0, -1}}}},
			`load.stages[0].duration: must be a duration above 0 such as "10s" or "500ms", got "0s"` + "\n" +
				"load.stages[0].target: must be a number of at least 0, got -1"},
		{"bad requests", Scenario{Target: "http://h/", Requests: []Request{
			{Method: "G T", Path: "x", Headers: []Header{{"A\n", "b"}, {"B", "x\r\ny"}}, Weight: -1},
			{Body: "a", BodyFile: "b"},
			{BodyFile: "testdata"},
		}},
			`requests[0].method: must be an HTTP method such as GET or POST, got "G T"` + "\n" +
				`requests[0].path: must be a path starting with "/", such as /items?id=1, got "x"` + "\n" +
				`requests[0].headers: header name "A\n" is not valid; want a header as "Name: value"` + "\n" +
				`requests[0].headers: header "B": values cannot contain line breaks` + "\n" +
				"requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got -1\n" +
				"requests[1].body_file: conflicts with body; give one of them\n" +
				"requests[2].body_file: cannot read testdata: is a directory"},
		{"bad threshold", Scenario{Target: "http://h/", Thresholds: []string{"p99 < 1ms", "p99 < 1"}},
			`thresholds[1]: "p99 < 1": "1" is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m`},
		{"thresholds settled before the run", Scenario{Target: "http://h/", Thresholds: []string{"error_rate < 150%", "p99 < 0.5us", "p99 < 1ms"}},
			`thresholds[0]: "error_rate < 150%" always passes: error_rate is a share, from 0% to 100%; want a limit of 100% or less, such as error_rate < 1%` + "\n" +
				`thresholds[1]: "p99 < 0.5us" can never pass: p99 is never below 1us, the shortest time nowait records; want a limit above 1us, such as p99 < 50ms`},
		{"baseline", Scenario{Target: "http://h/", Baseline: Baseline{File: "testdata/none.json", MaxRegression: -0.1}},
			"baseline.max_regression: must be a percentage above 0 such as 10%, got \"-10%\"\n" +
				"baseline.file: cannot read testdata/none.json: no such file or directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.s
			err := c.s.Validate()
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("does not wrap ErrInvalid")
				}
			}
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			if before.Target != c.s.Target || before.Load.Model != c.s.Load.Model {
				t.Error("Validate changed the scenario")
			}
		})
	}
}

func TestModelAndModeDefaults(t *testing.T) {
	var s Scenario
	if s.ModeOrDefault() != ModeAsync || s.ModelOrDefault() != engine.ModelClosed || s.NameOrDefault() != "nowait" ||
		s.Baseline.MaxRegressionOrDefault() != DefaultMaxRegression {
		t.Errorf("defaults: %q %q %q", s.ModeOrDefault(), s.ModelOrDefault(), s.NameOrDefault())
	}
	s.Load.Rate = 5
	if s.ModelOrDefault() != engine.ModelOpen {
		t.Error("a rate without a model is not open")
	}
	s.Load.Rate = 0
	s.Load.Stages = []Stage{{Duration: time.Second, Target: 30}}
	if s.ModelOrDefault() != engine.ModelOpen {
		t.Error("stages without a model do not ramp the rate (the open model), as --stages does with a URL")
	}
	s.Load.Model = engine.ModelClosed
	if s.ModelOrDefault() != engine.ModelClosed {
		t.Error("model: closed with stages is not closed")
	}
	if !strings.Contains((&Error{Origin: "f.yaml:3", Key: "k", Msg: "m"}).Error(), "f.yaml:3: k: m") {
		t.Error("Error format")
	}
}

// A file whose values are partly wrong comes back from Parse with its
// error and what was read, and Validate adds the problems of the whole,
// once each: a refused value is not judged again (a bad threshold is one
// line, not two), nor what depends on it (a misspelt model leaves the
// rate's conflict with a model unjudged), while independent problems are
// all there.
func TestValidateAfterAPartlyWrongFile(t *testing.T) {
	src := `target: http://127.0.0.1:8080/
mode: turbo
load:
  model: hlod
  rate: 5
  loops: 2
  warmup: 1s
  stages: [{duration: 1s, target: 5}, {duration: soon, target: 5}]
requests:
  - {path: /, body: a, body_file: b, weight: -3}
thresholds: ["p99 < 1"]
`
	s, err := Parse("p.yaml", []byte(src))
	if s == nil || err == nil {
		t.Fatalf("Parse returned %v, %v; want the scenario read and an error", s, err)
	}
	got := JoinErrors(err, s.Validate()).Error()
	want := `p.yaml:2: mode: must be one of async, sync or goroutine, got "turbo"` + "\n" +
		`p.yaml:4: load.model: must be one of closed, open or hold, got "hlod"` + "\n" +
		`p.yaml:7: load.warmup: conflicts with load.stages: a ramp is its own warm-up; make its first stage the warm-up (such as 10s:500) and leave the warm-up out` + "\n" +
		`p.yaml:8: load.stages[1].duration: must be a duration above 0 such as "10s" or "500ms", got "soon"` + "\n" +
		`p.yaml:10: requests[0].weight: must be an integer from 1 to 1000000 (weights are relative), got -3` + "\n" +
		`p.yaml:10: requests[0].body_file: conflicts with body; give one of them` + "\n" +
		`p.yaml:11: thresholds[0]: "p99 < 1": "1" is not a latency; want a duration of 0 or more with a unit (us, ms, s, m) such as 50ms or 1m`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// A value set well over a refused one is judged again.
	for _, kv := range []string{"load.model=hold", "mode=sync"} {
		if err := s.SetKeyValue(kv); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Validate()
	for _, w := range []string{"p.yaml:6: load.loops: event loops are async mode's; sync mode has none", "p.yaml:5: load.rate: conflicts with model: hold"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("after a good --set of the refused mode and model, Validate says %v; want %q", err, w)
		}
	}

	// A file that is no mapping of keys comes back as nothing.
	if s, err := Parse("l.yaml", []byte("- a\n- b\n")); s != nil || err == nil {
		t.Errorf("a list: Parse returned %v, %v; want nil and an error", s, err)
	}
}
