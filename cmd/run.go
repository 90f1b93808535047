package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// runFlags are the flags of `nowait run`; their zero values mean the
// engine's defaults.
type runFlags struct {
	connections    int
	duration       time.Duration
	requests       int64
	loops          int
	pipeline       int
	method         string
	headers        []string
	body           string
	bodyFile       string
	timeout        time.Duration
	connectTimeout time.Duration
	latency        bool
	jsonOut        bool
	mode           string
	rate           float64
	stages         string
	warmup         time.Duration
	closed         bool
	hold           bool          // nowait hold: the hold model
	connectRate    float64       // hold: connects per second
	every          time.Duration // hold: one request per connection this often
	sourceIPs      string        // --source-ips
	insecure       bool          // -k/--insecure: https without certificate verification
	caCert         string        // --cacert FILE: https verified against these PEM certificates
	noTLSResume    bool          // --no-tls-resume: https, a full handshake on every connect
	extraFDs       int           // descriptors needed besides the connections (an in-process target's)

	out           string   // --out DIR
	sets          []string // --set key=value (scenario files)
	junit         string   // --junit FILE
	baseline      string   // --baseline summary.json
	maxRegression string   // --max-regression 10%
}

func newRunCmd(a *app) *cobra.Command {
	f := &runFlags{}
	c := &cobra.Command{
		Use:   "run URL",
		Short: "Load an HTTP/1.1 server and report throughput and latency",
		Long: `Load an HTTP/1.1 server and report throughput and latency percentiles.

The closed model (as wrk, the default): each connection sends its next
request as soon as its previous response arrives, keeping --pipeline
requests in flight.

The open model (as wrk2 and vegeta, with -R or --stages): requests are due
at a fixed rate whatever the server does, and latency is measured from each
request's intended send time, so a stalled server shows in the percentiles
(coordinated-omission correction). The service time, from the actual write,
is shown beside it.

` + exitCodeHelp,
		Example: `  nowait run http://127.0.0.1:8080/ -c 100 -d 10s
  nowait run http://127.0.0.1:8080/items -c 1000 -d 30s --loops 2 --pipeline 8 --latency
  nowait run http://127.0.0.1:8080/ -R 20000 -c 200 -d 30s
  nowait run http://127.0.0.1:8080/ --stages 10s:1000,20s:5000,10s:0 -c 500
  nowait run http://127.0.0.1:8080/ -c 50 --stages 10s:50,10s:400 --closed
  nowait run http://127.0.0.1:8080/login -m POST -H 'Content-Type: application/json' --body '{"u":"a"}' -n 50000
  nowait run http://127.0.0.1:8080/ -R 5000 -d 30s --out results/today
  nowait run https://127.0.0.1:8443/ --mode goroutine -k -c 100 -d 10s
  nowait run https://127.0.0.1:8443/ --cacert target.pem -c 100 -d 10s
  nowait run examples/checkout.yaml --set load.rate=8000 --set target=http://127.0.0.1:9000
  nowait run examples/checkout.yaml --junit report.xml --baseline results/main/summary.json --max-regression 10%`,
		Args: exactArgs(1, "a URL to load, such as http://127.0.0.1:8080/, or a scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := explicitZeros(c); err != nil {
				return err
			}
			if isScenarioFile(args[0]) {
				return a.runScenario(c, args[0], f)
			}
			if len(f.sets) > 0 {
				return usageErr("--set applies to scenario files; with a URL, use the flags")
			}
			return a.runURL(c.Context(), args[0], f)
		},
	}
	fl := c.Flags()
	fl.IntVarP(&f.connections, "connections", "c", engine.DefaultConnections, "connections to keep open")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "how long to run (default 10s, or until -n requests are done)")
	fl.Int64VarP(&f.requests, "requests", "n", 0, "stop after this many requests (default: no limit)")
	fl.IntVarP(&f.loops, "loops", "t", 0, "event loops in async mode, as wrk's -t threads (default: number of CPUs)")
	fl.IntVar(&f.pipeline, "pipeline", engine.DefaultPipeline, "requests in flight per connection")
	fl.StringVarP(&f.method, "method", "m", "GET", "HTTP method")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "request header 'Name: value' (repeatable)")
	fl.StringVar(&f.body, "body", "", "request body")
	fl.StringVar(&f.bodyFile, "body-file", "", "read the request body from this file")
	fl.DurationVar(&f.timeout, "timeout", engine.DefaultTimeout, "per-request timeout")
	fl.DurationVar(&f.connectTimeout, "connect-timeout", engine.DefaultConnectTimeout, "per-connect timeout")
	fl.BoolVar(&f.latency, "latency", false, "print the full latency percentile distribution")
	fl.BoolVar(&f.jsonOut, "json", false, "print the summary as JSON on stdout instead of text")
	fl.Float64VarP(&f.rate, "rate", "R", 0, "open model: requests per second in total (latency is measured from each request's intended send time); with --stages, the rate the ramp starts from (default 0), as k6's startRate")
	fl.StringVar(&f.stages, "stages", "", "ramp as DURATION:TARGET,...: each stage moves in a straight line to its TARGET, from -R (rate, open model; 0 without -R) or from -c (connections, with --closed); -R 1000 --stages 10s:10 ramps down from 1000")
	fl.BoolVar(&f.closed, "closed", false, "with --stages: ramp the connection count (closed model) instead of the rate")
	fl.DurationVar(&f.warmup, "warmup", 0, "run this long first, excluded from the statistics")
	fl.StringVar(&f.sourceIPs, "source-ips", "", "local addresses to connect from, round robin: a list or ranges such as 127.0.0.2-127.0.0.9")
	fl.StringVar(&f.mode, "mode", "async", "I/O mode: async (epoll reactor), sync (thread per connection) or goroutine (fasthttp)")
	addInsecureFlag(fl, f)
	addCACertFlag(fl, f)
	addNoTLSResumeFlag(fl, f)
	fl.StringVarP(&f.out, "out", "o", "", "write summary.json, latency.hlog, latency.hgrm, timeseries.csv and charts into this directory")
	fl.StringArrayVar(&f.sets, "set", nil, "override a scenario key, such as --set load.rate=8000 (repeatable)")
	fl.StringVar(&f.junit, "junit", "", "write the threshold and baseline checks as JUnit XML to this file")
	fl.StringVar(&f.baseline, "baseline", "", "compare with a saved summary.json and fail (exit 4) on a regression")
	fl.StringVar(&f.maxRegression, "max-regression", "", "regression allowed against --baseline, with its % sign (default 10%)")
	return c
}

// explicitZeros refuses -n 0, -d 0, -R 0, --every 0 and --connect-rate 0
// given on the command line: a zero there means the default (no limit,
// 10 s, the closed model, no requests, no limit), which is surely not what
// was asked.
func explicitZeros(c *cobra.Command) error {
	defaults := map[string]string{"requests": "no limit", "duration": "the default 10s", "rate": "the closed model", "loops": "one per CPU", "every": "no requests", "connect-rate": "no limit"}
	for _, name := range []string{"requests", "duration", "rate", "loops", "every", "connect-rate"} {
		fl := c.Flags().Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		if v := fl.Value.String(); v == "0" || v == "0s" {
			def := defaults[name]
			if fl.DefValue != "0" && fl.DefValue != "0s" { // demo's and compare's own default
				def = "the default " + fl.DefValue
			}
			return usageErr("%s must be positive, got %s; leave it out for %s", flagName(fl), v, def)
		}
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a message that says what is wanted.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s takes %s, got %s (see '%s --help')", c.Name(), what, stats.Count(len(args), "argument"), c.CommandPath())
		}
		return nil
	}
}

// runURL runs the load described by flags against rawURL.
func (a *app) runURL(ctx context.Context, rawURL string, f *runFlags) error {
	plan, err := planFromFlags(ctx, rawURL, f)
	if err != nil {
		return err
	}
	g, err := gatesFromFlags(f)
	if err != nil {
		return err
	}
	pre := preflight{plan: plan, extraFDs: f.extraFDs, sourcesName: valueName{flag: "--source-ips"},
		out: outputs{dir: f.out, dirName: valueName{flag: "--out"}, json: f.jsonOut, latency: f.latency}, g: g}
	return a.execute(ctx, f.mode, pre)
}

// execute checks what the run needs before any load (checkBeforeLoad),
// runs the plan, and then reports, writes and gates its result. The
// result is reported and written even when the run was interrupted.
func (a *app) execute(ctx context.Context, mode string, pre preflight) error {
	plan, out, g := pre.plan, pre.out, pre.g
	eng, err := newEngine(mode)
	if err != nil {
		return err
	}
	if err := checkBeforeLoad(pre, &a.dirs); err != nil {
		return err
	}
	if !out.json {
		fmt.Fprintln(a.stdout, describeRun(plan, mode))
	}
	plan.Live = &stats.Live{}
	prog := startProgress(a.stderr, plan.Live, plan.Warmup, plan.DurationOrDefault())
	res, err := engine.Execute(ctx, eng, plan)
	prog.Stop()
	if err != nil {
		if errors.Is(err, engine.ErrUnsupported) || errors.Is(err, engine.ErrInvalidPlan) {
			err = usageErr("%v", err)
		} else {
			err = runErr(err)
		}
		// A report from an earlier run must not stay behind, green.
		if jerr := g.writeJUnit(stats.Summary{}, nil, &scenarios.RunError{Type: "run_failed", Message: err.Error()}); jerr != nil {
			fmt.Fprintf(a.stderr, "nowait: %v\n", jerr)
		}
		return err
	}
	if res.Mode == "" {
		res.Mode = modeName(mode)
	}
	if probeTLS(ctx, plan, res) {
		res.HTTPToTLS = true
	}
	res.Ramp = plannedRamp(plan)
	sum := stats.Summarize(res)
	if g.scenario != nil {
		stats.AddPercentiles(&sum, res, g.scenario.Percentiles())
	}
	checks, gateErr := g.evaluate(sum)
	sum.Checks = checks
	if err := a.printResult(res, sum, out.json, out.latency); err != nil {
		return err
	}
	if !out.json {
		printChecks(a.stdout, checks)
	}
	if note := g.setupNote(sum); note != "" {
		w := a.stdout
		if out.json {
			w = a.stderr // keep stdout one JSON document
		}
		fmt.Fprintln(w, note)
	}
	var writeErrs []error
	if out.dir != "" {
		if err := writeResults(out.dir, res, a.stderr); err != nil {
			writeErrs = append(writeErrs, err)
		} else if err := writeChecks(out.dir, sum); err != nil {
			writeErrs = append(writeErrs, err)
		} else if !out.json {
			fmt.Fprintf(a.stdout, "\nResults written to %s\n", out.dir)
		}
	}
	junitErr, failErr := runFailure(res)
	if err := g.writeJUnit(sum, checks, junitErr); err != nil {
		writeErrs = append(writeErrs, err)
	}
	return a.verdict(failErr, gateErr, writeErrs)
}

// runFailure returns why a run measured nothing or was cut short, as the
// error of its JUnit report and as the error that sets the exit code (1),
// in this order: interrupted (a Ctrl-C in the warm-up leaves the measured
// part empty, and that says nothing about the target), no connection,
// requests sent and not one response (nothing was measured). It returns
// nil, nil for a run that measured what it was to.
func runFailure(res *stats.Result) (*scenarios.RunError, error) {
	var kind string
	var err error
	switch {
	case res.Interrupted:
		return &scenarios.RunError{Type: "interrupted", Message: "interrupted: the run was stopped before its end, and the checks judge only the part before the interruption"},
			runErr(errors.New("interrupted: the results above cover the run up to the interruption"))
	case res.Connects == 0 && res.Responses == 0 && res.WarmupCounters.Responses == 0:
		kind, err = "no_connection", noConnectionError(res)
	case answeredNothing(res):
		kind, err = "no_response", noResponseError(res) // it measured nothing
	default:
		return nil, nil
	}
	return &scenarios.RunError{Type: kind, Message: err.Error()}, runErr(err)
}

// verdict is the error that sets the exit code of a run, in this order:
// the run's own failure (runFailure), a breached threshold or a
// regression, and then a failure to write the results. A write failure
// never masks the verdict before it: it is printed on stderr, and the
// verdict decides the code.
func (a *app) verdict(failErr, gateErr error, writeErrs []error) error {
	var err error
	switch {
	case failErr != nil:
		err = failErr
	case gateErr != nil:
		err = gateErr
	case len(writeErrs) > 0:
		err, writeErrs = writeErrs[0], writeErrs[1:]
	}
	for _, w := range writeErrs {
		fmt.Fprintf(a.stderr, "nowait: %v\n", w)
	}
	return err
}

func noConnectionError(res *stats.Result) error {
	host := targetHost(res.Target)
	if res.FirstConnectErr != "" {
		return fmt.Errorf("no connection could be made to %s: %s%s", host, connectCause(res.FirstConnectErr, host), insecureHint(res.FirstConnectErr))
	}
	return fmt.Errorf("no connection could be made to %s", host)
}

// certificateUnverified begins the text of Go's
// tls.CertificateVerificationError: the server's certificate is not
// trusted (self-signed, an unknown authority) or not for this host.
const certificateUnverified = "tls: failed to verify certificate"

// insecureHint is what to add to a connect error that says the server's
// certificate failed verification: how to skip it for a test server.
func insecureHint(connectErr string) string {
	if !strings.Contains(connectErr, certificateUnverified) {
		return ""
	}
	return "; use --cacert FILE (scenario key tls.ca_file) to trust the server's certificate, or -k/--insecure (tls.insecure) to skip verification for a test server"
}

// addInsecureFlag defines -k/--insecure, as curl and oha have it.
func addInsecureFlag(fl *pflag.FlagSet, f *runFlags) {
	fl.BoolVarP(&f.insecure, "insecure", "k", false, "https: accept any server certificate, such as a test server's self-signed one (no effect on http)")
}

// addNoTLSResumeFlag defines --no-tls-resume: resuming TLS sessions is
// the default, as in browsers, k6 and oha.
func addNoTLSResumeFlag(fl *pflag.FlagSet, f *runFlags) {
	fl.BoolVar(&f.noTLSResume, "no-tls-resume", false, "https: make a full TLS handshake on every connect instead of resuming the session of an earlier one (session tickets), to measure what full handshakes cost the server (no effect on http)")
}

// addCACertFlag defines --cacert FILE, as curl has it.
func addCACertFlag(fl *pflag.FlagSet, f *runFlags) {
	fl.StringVar(&f.caCert, "cacert", "", "https: verify the server's certificate against the PEM certificates in this file instead of the system roots (as curl --cacert), such as a test server's own self-signed one")
}

// connectCause trims the "connect ADDR: " prefix of an engine's connect
// error when ADDR is what the line already names, leaving the cause
// ("connection refused").
func connectCause(text, host string) string {
	return strings.TrimPrefix(text, "connect "+host+": ")
}

func modeName(mode string) string {
	if mode == "" {
		return "async"
	}
	return mode
}

// describeRun is the line printed as a run starts.
func describeRun(p *engine.Plan, mode string) string {
	if p.Model == engine.ModelHold {
		rate := "as fast as possible"
		if p.ConnectRate > 0 {
			rate = "at " + stats.GroupFloat(p.ConnectRate, -1) + " per second"
		}
		every := "no requests"
		if p.HoldEvery > 0 {
			every = "one request each every " + scenarios.FormatDuration(p.HoldEvery)
		}
		return fmt.Sprintf("Holding %s to %s %s: connecting %s, %s, %s mode",
			stats.Count(p.Connections, "connection"), p.Target, describeStop(p), rate, every, modeName(mode))
	}
	load := connectionsText(string(p.Model.OrDefault()), p.Connections, plannedRamp(p)) + loweredText(p.ConnectionsAsked)
	if p.Model == engine.ModelOpen {
		load = scheduleRate(p) + ", " + load
	}
	return fmt.Sprintf("Running %s against %s: %s, %s, %s mode",
		describeStop(p), p.Target, load, describePipeline(p), modeName(mode))
}

// scheduleRate names an open run's planned rate: "2,000 req/s", or the
// rates its ramp goes through ("100 → 500 → 0 req/s"); the line it goes
// in names the run's length.
func scheduleRate(p *engine.Plan) string {
	if ramp := plannedRamp(p); len(ramp) > 0 {
		return stats.RampText(ramp) + " req/s"
	}
	return fmtRate(p.RatePerSec) + " req/s"
}

func describeStop(p *engine.Plan) string {
	d := p.DurationOrDefault()
	switch {
	case p.MaxRequests > 0 && d > 0:
		return fmt.Sprintf("%s or %s", stats.Count(p.MaxRequests, "request"), scenarios.FormatDuration(d))
	case p.MaxRequests > 0:
		return stats.Count(p.MaxRequests, "request")
	}
	return "for " + scenarios.FormatDuration(d)
}

func describePipeline(p *engine.Plan) string {
	if n := p.PipelineOrDefault(); n > 1 {
		return fmt.Sprintf("pipeline %d", n)
	}
	return "no pipelining"
}
