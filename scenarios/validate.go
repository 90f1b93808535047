package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// Validate checks the whole scenario without changing it: the target URL,
// every number, the combinations a load model allows, the requests and the
// thresholds. Each problem is one line, "where: key: message", where is the
// file and line the key was written at (or --set); several are joined
// with newlines. Body files must exist; Compile reads them. A baseline
// file must read as a run's summary (ReadSummary, as the run reads it). A
// tls.ca_file must hold a PEM certificate. What the run needs of the host
// and of its output paths is the caller's to check (cmd checks it in
// validate as in run, with one function). A key whose value Load or Set
// refused is not checked again, nor is what depends on it (a model
// refused leaves the model's conflicts unjudged).
func (s *Scenario) Validate() error {
	v := &validator{s: s}
	v.target()
	v.load()
	v.requests()
	v.durationAtLeast0("timeouts.request", s.Timeouts.Request, wantDuration)
	v.durationAtLeast0("timeouts.connect", s.Timeouts.Connect, wantDuration)
	for i, t := range s.Thresholds {
		if _, err := ParseThreshold(t); err != nil {
			v.add("thresholds["+strconv.Itoa(i)+"]", err.Error())
		}
	}
	if m := s.Baseline.MaxRegression; m < 0 || isNaNOrInf(m) {
		v.add("baseline.max_regression", mustBe(wantPercent, formatPercent(m)))
	}
	if f := s.TLS.CAFile; f != "" {
		if _, msg := loadCAFile(f); msg != "" {
			v.add("tls.ca_file", msg)
		}
	}
	if f := s.Baseline.File; f != "" {
		if _, err := os.Stat(f); err != nil {
			v.add("baseline.file", fmt.Sprintf("cannot read %s: %v", f, stats.PathErrCause(err)))
		} else if _, err := ReadSummary(f); err != nil { // as the run reads it, before any load
			v.add("baseline.file", err.Error())
		}
	}
	return errors.Join(v.errs...)
}

type validator struct {
	s    *Scenario
	errs []error
}

// add records a problem of key, unless key's value was refused already.
func (v *validator) add(key, msg string) {
	if v.s.keyFailed(key) {
		return
	}
	v.errs = append(v.errs, &Error{Origin: v.s.where(key), Key: key, Msg: msg})
}

func (v *validator) target() {
	s := v.s
	if s.Target == "" {
		v.add("target", "missing; want "+wantURL)
	} else if msg := checkURL(s.Target); msg != "" {
		v.add("target", msg)
	}
	if s.Mode != "" {
		if msg := checkEnum(s.Mode, wantMode, ModeAsync, ModeSync, ModeGoroutine); msg != "" {
			v.add("mode", msg)
		}
	}
}

// perConnection names what carries each connection in the modes without
// event loops.
var perConnection = map[string]string{ModeSync: "thread", ModeGoroutine: "goroutine"}

func (v *validator) load() {
	l := &v.s.Load
	if l.Model != "" {
		if msg := checkEnum(string(l.Model), wantModel, string(engine.ModelClosed), string(engine.ModelOpen), string(engine.ModelHold)); msg != "" {
			v.add("load.model", msg)
		}
	}
	v.intAtLeast0("load.connections", int64(l.Connections))
	v.intAtLeast0("load.requests", l.Requests)
	v.intAtLeast0("load.loops", int64(l.Loops))
	if mode := v.s.ModeOrDefault(); l.Loops > 0 && perConnection[mode] != "" && !v.s.keyFailed("mode") {
		v.add("load.loops", "event loops are async mode's; "+mode+" mode has none (one "+perConnection[mode]+" per connection): drop load.loops, or use mode: async")
	}
	if conns := cmp.Or(l.Connections, engine.DefaultConnections); l.Loops > conns && conns > 0 && !v.s.keyFailed("load.connections") {
		// As wrk refuses more threads than connections, and -t more than -c.
		v.add("load.loops", fmt.Sprintf("%d is more than load.connections %d: each event loop needs a connection of its own; make it %d or fewer", l.Loops, conns, conns))
	}
	v.intAtLeast0("load.pipeline", int64(l.Pipeline))
	v.numAtLeast0("load.rate", l.Rate)
	v.numAtLeast0("load.connect_rate", l.ConnectRate)
	v.durationAtLeast0("load.duration", l.Duration, wantDuration)
	v.durationAtLeast0("load.warmup", l.Warmup, wantNonNegDur)
	v.durationAtLeast0("load.every", l.Every, wantDuration)
	for i, st := range l.Stages {
		key := "load.stages[" + strconv.Itoa(i) + "]"
		if st.Duration <= 0 {
			v.add(key+".duration", mustBe(wantDuration, st.Duration.String()))
		}
		if st.Target < 0 || isNaNOrInf(st.Target) {
			v.add(key+".target", mustBe(wantNonNegNum, strconv.FormatFloat(st.Target, 'g', -1, 64)))
		}
	}
	if !v.s.keyFailed("load.model") { // without the model, its conflicts cannot be judged
		v.modelConflicts()
	}
	if l.Requests > 0 && len(l.Stages) > 0 {
		v.add("load.requests", "conflicts with load.stages; a ramp ends when its stages end")
	}
	if l.Warmup > 0 && len(l.Stages) > 0 {
		// The ramp runs on the run's clock, warm-up included: a warm-up
		// would use up its start.
		v.add("load.warmup", "conflicts with load.stages: a ramp is its own warm-up; make its first stage the warm-up (such as 10s:500) and leave the warm-up out")
	}
}

// modelConflicts checks the load keys the load model rules out or needs.
func (v *validator) modelConflicts() {
	l := &v.s.Load
	switch v.s.ModelOrDefault() {
	case engine.ModelOpen:
		if l.Rate == 0 && len(l.Stages) == 0 && !v.s.keyFailed("load.rate") && !v.s.keyFailed("load.stages") {
			v.add("load.model", "the open model needs load.rate or load.stages (requests per second)")
		}
	case engine.ModelHold:
		if l.Rate > 0 {
			v.add("load.rate", "conflicts with model: hold, which opens connections and holds them; use load.connect_rate and load.every")
		}
		if len(l.Stages) > 0 {
			v.add("load.stages", "conflicts with model: hold; use load.connect_rate to pace the connects")
		}
		// As `nowait hold` refuses -n, --pipeline and --warmup, which the
		// hold model would otherwise ignore.
		if l.Requests > 0 {
			v.add("load.requests", "conflicts with model: hold, which runs for load.duration; drop load.requests")
		}
		if l.Pipeline > 1 {
			v.add("load.pipeline", "conflicts with model: hold, which sends at most one request per connection every load.every; drop load.pipeline")
		}
		if l.Warmup > 0 {
			v.add("load.warmup", "conflicts with model: hold, which measures every connect from the start; drop load.warmup (pace the connects with load.connect_rate)")
		}
		if l.Every > 0 && l.Every < time.Millisecond {
			v.add("load.every", fmt.Sprintf("%s is shorter than a millisecond; want 1ms or more, or model: open with load.rate for a request rate", l.Every))
		}
		if d := cmp.Or(l.Duration, engine.DefaultDuration); l.Every > 0 && l.Every >= d && l.Duration >= 0 && !v.s.keyFailed("load.duration") {
			v.add("load.every", fmt.Sprintf("%s is not shorter than load.duration %s: no request would be sent, since each connection sends its first one load.every after it opens; make load.every shorter or load.duration longer",
				FormatDuration(l.Every), FormatDuration(d)))
		}
	case engine.ModelClosed:
		if l.Rate > 0 {
			v.add("load.rate", "conflicts with model: closed, which sends as fast as responses come; use model: open for a fixed rate")
		}
	}
	if v.s.ModelOrDefault() != engine.ModelHold {
		if l.ConnectRate > 0 {
			v.add("load.connect_rate", "only the hold model paces connects; set model: hold")
		}
		if l.Every > 0 {
			v.add("load.every", "only the hold model sends on an interval; set model: hold")
		}
	}
}

func (v *validator) requests() {
	for i, r := range v.s.Requests {
		key := "requests[" + strconv.Itoa(i) + "]"
		if r.Method != "" {
			if msg := checkMethod(r.Method); msg != "" {
				v.add(key+".method", msg)
			}
		}
		if msg := checkPath(r.Path); msg != "" {
			v.add(key+".path", msg)
		}
		for _, h := range r.Headers {
			if msg := checkHeader(h); msg != "" {
				v.add(key+".headers", msg)
			}
		}
		if r.Weight < 0 || r.Weight > MaxWeight {
			v.add(key+".weight", mustBe(wantWeight, strconv.Itoa(r.Weight)))
		}
		switch {
		case r.Body != "" && r.BodyFile != "":
			v.add(key+".body_file", "conflicts with body; give one of them")
		case r.BodyFile != "":
			if fi, err := os.Stat(r.BodyFile); err != nil {
				v.add(key+".body_file", fmt.Sprintf("cannot read %s: %v", r.BodyFile, stats.PathErrCause(err)))
			} else if fi.IsDir() {
				v.add(key+".body_file", fmt.Sprintf("cannot read %s: is a directory", r.BodyFile))
			}
		}
	}
}

func (v *validator) intAtLeast0(key string, n int64) {
	if n < 0 {
		v.add(key, mustBe(wantPositiveInt, strconv.FormatInt(n, 10)))
	}
}

func (v *validator) numAtLeast0(key string, f float64) {
	if f < 0 || isNaNOrInf(f) {
		v.add(key, mustBe(wantPositiveNum, strconv.FormatFloat(f, 'g', -1, 64)))
	}
}

func (v *validator) durationAtLeast0(key string, d time.Duration, want string) {
	if d < 0 {
		v.add(key, mustBe(want, d.String()))
	}
}
