package cmd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// planFromFlags validates the flags and the URL, with messages that name
// the flags, then builds the scenario they describe and compiles it to a
// Plan as a scenario file would be (resolving, reading the body file and
// encoding are the scenarios package's).
func planFromFlags(ctx context.Context, rawURL string, f *runFlags) (*engine.Plan, error) {
	sc, err := scenarioFromFlags(rawURL, f)
	if err != nil {
		return nil, err
	}
	return compilePlan(ctx, sc)
}

// scenarioFromFlags validates the flags and the URL, with messages that
// name the flags, and returns the validated scenario they describe. What
// compilePlan checks on top (the host resolves, the body file reads, the
// --source-ips addresses bind) depends on neither the mode nor the load.
func scenarioFromFlags(rawURL string, f *runFlags) (*scenarios.Scenario, error) {
	u, err := parseTargetURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := validateRunFlags(f); err != nil {
		return nil, err
	}
	if _, err := newEngine(f.mode); err != nil {
		return nil, err
	}
	if f.loops > 0 && modeName(f.mode) != "async" {
		return nil, usageErr("-t/--loops %d: event loops are async mode's; %s mode has none (drop -t, or use --mode async)", f.loops, f.mode)
	}
	if f.loops > f.connections {
		// As wrk refuses more threads than connections: the loops past
		// the connections would not run, and -t would not mean what it says.
		return nil, usageErr("-t/--loops %d is more than -c/--connections %d: each event loop needs a connection of its own; give -t %d or fewer (wrk refuses this too)", f.loops, f.connections, f.connections)
	}
	headers, err := parseHeaders(f.headers)
	if err != nil {
		return nil, err
	}
	if f.bodyFile != "" {
		if f.body != "" {
			return nil, usageErr("--body and --body-file conflict; give one of them")
		}
		if err := readableFile(f.bodyFile); err != nil {
			return nil, usageErr("--body-file: cannot read %s: %v", f.bodyFile, err)
		}
	}
	model, stages, err := loadModel(f)
	if err != nil {
		return nil, err
	}
	var sources []netip.Addr
	if f.sourceIPs != "" {
		if sources, err = scenarios.ParseSourceIPs(f.sourceIPs); err != nil {
			return nil, usageErr("--source-ips: %v", err)
		}
	}
	req := scenarios.Request{Method: strings.ToUpper(f.method), Path: u.RequestURI(), Body: f.body, BodyFile: f.bodyFile}
	for _, h := range headers {
		req.Headers = append(req.Headers, scenarios.Header{Name: h.Name, Value: h.Value})
	}
	sc := &scenarios.Scenario{
		Target:   u.String(),
		Mode:     f.mode,
		Requests: []scenarios.Request{req},
		Timeouts: scenarios.Timeouts{Request: f.timeout, Connect: f.connectTimeout},
		TLS:      scenarios.TLS{Insecure: f.insecure, NoResume: f.noTLSResume},
		Load: scenarios.LoadSpec{
			Model:       model,
			Connections: f.connections,
			Rate:        f.rate,
			Duration:    f.duration,
			Requests:    f.requests,
			Warmup:      f.warmup,
			Loops:       f.loops,
			Pipeline:    f.pipeline,
			ConnectRate: f.connectRate,
			Every:       f.every,
			SourceIPs:   sources,
		},
	}
	for _, st := range stages {
		sc.Load.Stages = append(sc.Load.Stages, scenarios.Stage{Duration: st.Duration, Target: st.Target})
	}
	if f.caCert != "" {
		// Set as the flag, so that what is wrong with the file names it.
		if err := sc.SetFrom(flagKeys["cacert"], f.caCert, "--cacert"); err != nil {
			return nil, scenarioErr(err)
		}
	}
	if err := sc.Validate(); err != nil {
		return nil, scenarioErr(namedByFlags(err))
	}
	return sc, nil
}

// readableFile returns why path cannot be read as a file ("is a
// directory", "permission denied"), or nil when it can.
func readableFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return stats.PathErrCause(err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil {
		return stats.PathErrCause(err)
	} else if fi.IsDir() {
		return errors.New("is a directory")
	}
	return nil
}

// compilePlan compiles a scenario scenarioFromFlags returned: it resolves
// the host, reads the body file and encodes the request. What the run
// needs of the host (the --source-ips addresses among them) is checked
// before the load by checkBeforeLoad.
func compilePlan(ctx context.Context, sc *scenarios.Scenario) (*engine.Plan, error) {
	plan, err := sc.Compile(ctx)
	if err != nil {
		return nil, scenarioErr(namedByFlags(err))
	}
	return plan, nil
}

// plannedRamp returns what a plan's stages ask for over the run, for the
// Result to keep (the engines do not): the rate in the open model, which
// starts from -R (0 without it), or the connections in the closed model,
// which start from -c; nil without stages.
func plannedRamp(p *engine.Plan) []stats.RampPoint {
	if len(p.Stages) == 0 {
		return nil
	}
	start := p.RatePerSec
	if p.Model.OrDefault() == engine.ModelClosed {
		start = float64(p.Connections)
	}
	ramp := []stats.RampPoint{{AtSec: 0, Target: start}}
	var at time.Duration
	for _, st := range p.Stages {
		at += st.Duration
		ramp = append(ramp, stats.RampPoint{AtSec: at.Seconds(), Target: st.Target})
	}
	return ramp
}

// usedSources returns the source addresses a plan's connections use:
// connection j takes address j mod n, so with fewer connections than
// addresses only the first ones are used (a /16 range is not bound 65,535
// times for 30 connections).
func usedSources(plan *engine.Plan) []netip.Addr {
	most := plan.Connections
	if plan.Model.OrDefault() == engine.ModelClosed {
		for _, st := range plan.Stages {
			most = max(most, int(st.Target))
		}
	}
	return plan.SourceAddrs[:min(len(plan.SourceAddrs), most)]
}

// checkSourcesBind binds a socket to each source address on port 0, so
// an address this host does not have is one line before the run, not a
// run of nothing but "address not available" connects. name is how the
// user gave them: --source-ips or load.source_ips.
func checkSourcesBind(sources []netip.Addr, name valueName) error {
	for _, ip := range sources {
		ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, 0).String())
		if err != nil {
			if errors.Is(err, syscall.EADDRNOTAVAIL) {
				return name.valueProblem(fmt.Sprintf("%s is not an address of this host; give addresses it has, such as 127.0.0.2-127.0.0.9", ip))
			}
			return name.valueProblem(fmt.Sprintf("cannot bind to %s: %v", ip, sysCause(err)))
		}
		if err := ln.Close(); err != nil {
			return runErr(fmt.Errorf("%s: closing the test socket on %s: %v", name, ip, sysCause(err)))
		}
	}
	return nil
}

// sysCause is the system's reason a network call failed ("address
// already in use"), without the "listen tcp ADDR: bind:" Go puts in
// front.
func sysCause(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// parseTargetURL checks that rawURL is an http(s) URL with a host and a
// valid port.
func parseTargetURL(rawURL string) (*url.URL, error) {
	const want = "want a URL such as http://127.0.0.1:8080/path"
	shown := scenarios.RedactURL(rawURL) // quoted: never the password
	if strings.ContainsAny(rawURL, " \t\r\n") {
		return nil, usageErr("malformed URL %q: it contains white space; encode a space in the path as %%20", shown)
	}
	if !strings.Contains(rawURL, "://") {
		if typo := scenarios.SchemeTypo(rawURL); typo != "" {
			return nil, usageErr("%s", typo)
		}
		return nil, usageErr("URL %q has no scheme; %s", shown, want)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, usageErr("malformed URL %q: %v; %s", shown, unwrapURLErr(err), want)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return nil, usageErr("URL %q has no scheme; %s", shown, want)
	default:
		return nil, usageErr("unsupported scheme %q in %q; nowait speaks http and https", u.Scheme, shown)
	}
	if u.Hostname() == "" {
		return nil, usageErr("URL %q has no host; %s", shown, want)
	}
	if strings.HasSuffix(u.Host, ":") {
		return nil, usageErr("URL %q has an empty port after the colon; give one such as :8080, or leave the colon out for the scheme's default", shown)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, usageErr("port %q in %q is out of range; want 1 to 65535", p, shown)
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

func unwrapURLErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// parseHeaders parses "Name: value" flags.
func parseHeaders(hs []string) ([]wire.Header, error) {
	out := make([]wire.Header, 0, len(hs))
	for _, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if ok && name != "" && strings.ContainsAny(name, " \t\r\n") {
			return nil, usageErr("-H %q: the header name %q contains white space; want 'Name: value' with a name such as X-Request-Id", h, name)
		}
		if !ok || name == "" {
			return nil, usageErr("-H %q: want a header as 'Name: value'", h)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, usageErr("-H %q: header values cannot contain line breaks", h)
		}
		out = append(out, wire.Header{Name: name, Value: strings.TrimSpace(value)})
	}
	return out, nil
}

// minDuration is the shortest run: below it the run ends before its
// connections are open.
const minDuration = 10 * time.Millisecond

// validateRunFlags checks the numbers of the run flags.
func validateRunFlags(f *runFlags) error {
	switch {
	case f.connections < 1:
		return usageErr("-c/--connections must be at least 1, got %d", f.connections)
	case f.duration < 0:
		return usageErr("-d/--duration must be positive, got %s", f.duration)
	case f.duration > 0 && f.duration < minDuration:
		return usageErr("-d/--duration %s is too short to measure anything; want at least %s", f.duration, minDuration)
	case f.requests < 0:
		return usageErr("-n/--requests must be positive, got %d", f.requests)
	case f.loops < 0:
		return usageErr("-t/--loops must be at least 1, got %d", f.loops)
	case f.pipeline < 1:
		return usageErr("--pipeline must be at least 1, got %d", f.pipeline)
	case f.timeout <= 0:
		return usageErr("--timeout must be positive, got %s", f.timeout)
	case f.connectTimeout <= 0:
		return usageErr("--connect-timeout must be positive, got %s", f.connectTimeout)
	case f.rate < 0:
		return usageErr("-R/--rate must be positive, got %g", f.rate)
	case f.warmup < 0:
		return usageErr("--warmup must be positive, got %s", f.warmup)
	case f.warmup > 0 && f.warmup < minDuration:
		return usageErr("--warmup %s is too short to warm anything up; want at least %s, or leave it out", f.warmup, minDuration)
	case f.method == "" || strings.ContainsAny(f.method, " \t\r\n"):
		return usageErr("-m/--method %q is not a valid HTTP method", f.method)
	}
	return nil
}

// loadModel picks the load model from the flags and parses the stages.
func loadModel(f *runFlags) (engine.Model, []engine.Stage, error) {
	stages, err := parseStages(f.stages)
	if err != nil {
		return "", nil, err
	}
	if f.hold {
		if err := holdModel(f); err != nil {
			return "", nil, err
		}
		return engine.ModelHold, nil, nil
	}
	switch {
	case f.closed && f.rate > 0:
		return "", nil, usageErr("--closed and -R/--rate conflict: a rate is the open model; drop one")
	case f.closed && len(stages) == 0:
		return "", nil, usageErr("--closed needs --stages to ramp the connections, such as --stages 10s:50,10s:400")
	case len(stages) > 0 && f.requests > 0:
		return "", nil, usageErr("-n/--requests and --stages conflict: stages set the run's length; drop one")
	case len(stages) > 0 && f.warmup > 0:
		return "", nil, usageErr("--warmup and --stages conflict: a ramp is its own warm-up; make its first stage the warm-up (such as 10s:500) and drop --warmup")
	case len(stages) > 0 && f.duration > 0:
		return "", nil, usageErr("-d/--duration and --stages conflict: the stages' durations add up to the run's length; drop -d")
	case f.closed:
		return engine.ModelClosed, stages, nil
	case f.rate > 0 || len(stages) > 0:
		return engine.ModelOpen, stages, nil
	}
	return engine.ModelClosed, nil, nil
}

// parseStages parses "10s:1000,20s:5000,10s:0".
func parseStages(s string) ([]engine.Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []engine.Stage
	for _, part := range strings.Split(s, ",") {
		d, t, ok := strings.Cut(strings.TrimSpace(part), ":")
		dur, derr := time.ParseDuration(d)
		target, terr := strconv.ParseFloat(t, 64)
		if !ok || derr != nil || terr != nil || dur <= 0 || !(target >= 0) || math.IsInf(target, 1) {
			return nil, usageErr("--stages: %q is not a stage; want DURATION:TARGET with a positive duration and a target of 0 or more, such as 10s:1000", part)
		}
		out = append(out, engine.Stage{Duration: dur, Target: target})
	}
	return out, nil
}
