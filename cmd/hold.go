package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/scenarios"
)

// defaultHoldConnections is how many connections `nowait hold` opens when
// -c is not given.
const defaultHoldConnections = 1000

func newHoldCmd(a *app) *cobra.Command {
	f := &runFlags{hold: true}
	c := &cobra.Command{
		Use:   "hold URL",
		Short: "Open many connections, keep them open, and measure what they cost",
		Long: `Open -c connections at --connect-rate (a connect storm when unlimited), keep
them open for the duration, and reconnect what the server drops. The rate
bounds every connect: replacements take the connect slots after the first
connects', so a server that drops many at once gets them back at the rate,
not in a storm. With
--every, each connection sends one request that often (a chat-like load),
and its latency is measured from the intended time.

The report says how many connections were established and when all were
open, how many the server closed (idle, or after a response: counted as
closed by the server, not as errors, and reconnected), the connect times,
connect errors by kind (refused, timeout, address not available, too many
open files), and what the connections cost the generator: RSS added per
connection, threads and CPU.

Each connection needs an open file and, per source address and target, an
ephemeral port: nowait raises its open-file limit to the hard limit and
checks both before it starts. --source-ips spreads the connections over
several local addresses to go past one address's ephemeral ports.

` + holdExitCodeHelp,
		Example: `  nowait hold http://127.0.0.1:8080/ -c 15000 --connect-rate 5000 -d 30s
  nowait hold http://127.0.0.1:8080/ -c 15000 --every 5s -d 60s
  nowait hold http://127.0.0.1:8080/ -c 15000 --source-ips 127.0.0.2-127.0.0.9 --mode sync
  nowait compare http://127.0.0.1:8080/ --model hold --connections 1000,5000,15000`,
		Args: exactArgs(1, "a URL to hold connections to, such as http://127.0.0.1:8080/"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := explicitZeros(c); err != nil {
				return err
			}
			if err := unsentRequestFlags(c, f); err != nil {
				return err
			}
			return a.runURL(c.Context(), args[0], f)
		},
	}
	fl := c.Flags()
	fl.IntVarP(&f.connections, "connections", "c", defaultHoldConnections, "connections to open and hold")
	fl.Float64Var(&f.connectRate, "connect-rate", 0, "connects per second (default: as fast as possible)")
	fl.DurationVar(&f.every, "every", 0, "each connection sends one request this often (default: never)")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "how long to hold (default 10s)")
	fl.StringVar(&f.sourceIPs, "source-ips", "", "local addresses to connect from, round robin: a list or ranges such as 127.0.0.2-127.0.0.9")
	fl.StringVar(&f.mode, "mode", "async", "I/O mode: async (epoll reactor), sync (thread per connection) or goroutine (fasthttp)")
	addInsecureFlag(fl, f)
	addCACertFlag(fl, f)
	addNoTLSResumeFlag(fl, f)
	fl.IntVarP(&f.loops, "loops", "t", 0, "event loops in async mode, as wrk's -t threads (default: number of CPUs)")
	fl.StringVarP(&f.method, "method", "m", "GET", "HTTP method of the --every requests")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "request header 'Name: value' (repeatable)")
	fl.StringVar(&f.body, "body", "", "request body")
	fl.DurationVar(&f.timeout, "timeout", engine.DefaultTimeout, "per-request timeout")
	fl.DurationVar(&f.connectTimeout, "connect-timeout", engine.DefaultConnectTimeout, "per-connect timeout")
	fl.BoolVar(&f.jsonOut, "json", false, "print the summary as JSON on stdout instead of text")
	fl.StringVarP(&f.out, "out", "o", "", "write summary.json, timeseries.csv and charts into this directory")
	// Flags of other models, accepted only to say why they do not apply.
	fl.Float64VarP(&f.rate, "rate", "R", 0, "")
	fl.StringVar(&f.stages, "stages", "", "")
	fl.Int64VarP(&f.requests, "requests", "n", 0, "")
	fl.IntVar(&f.pipeline, "pipeline", engine.DefaultPipeline, "")
	for _, name := range []string{"rate", "stages", "requests", "pipeline"} {
		_ = fl.MarkHidden(name) // cannot fail: the flag was just defined
	}
	return c
}

// unsentRequestFlags refuses the flags that shape hold's requests when
// there are none: without --every, hold sends no request, and -m, -H,
// --body and --timeout would be accepted and never used.
func unsentRequestFlags(c *cobra.Command, f *runFlags) error {
	if f.every > 0 {
		return nil
	}
	for _, name := range []string{"method", "header", "body", "timeout"} {
		if fl := c.Flags().Lookup(name); fl != nil && fl.Changed {
			return usageErr("%s: hold sends no request without --every; add --every (such as --every 5s) to send one per connection that often, or drop %s", flagName(fl), flagName(fl))
		}
	}
	return nil
}

// holdModel checks the flags of `nowait hold` against the hold model.
func holdModel(f *runFlags) error {
	const use = "hold keeps connections open and sends at most one request per connection every --every"
	switch {
	case f.rate > 0:
		return usageErr("-R/--rate does not apply to hold: %s; for a request rate use 'nowait run -R'", use)
	case f.stages != "":
		return usageErr("--stages does not apply to hold: %s; ramp the connects with --connect-rate", use)
	case f.requests > 0:
		return usageErr("-n/--requests does not apply to hold: it runs for -d/--duration")
	case f.pipeline != engine.DefaultPipeline:
		return usageErr("--pipeline does not apply to hold: %s", use)
	case f.connectRate < 0:
		return usageErr("--connect-rate must be positive (connects per second), got %g", f.connectRate)
	case f.every < 0:
		return usageErr("--every must be positive, such as 5s, got %s", f.every)
	case f.every > 0 && f.every < time.Millisecond:
		return usageErr("--every %s is shorter than a millisecond; for a request rate use 'nowait run -R'", f.every)
	case f.every > 0 && f.every >= holdDuration(f):
		d := "-d " + scenarios.FormatDuration(holdDuration(f))
		if f.duration == 0 {
			d = "the default " + d
		}
		return usageErr("--every %s is not shorter than %s: no request would be sent, since each connection sends its first one --every after it opens; give a shorter --every or a longer -d",
			scenarios.FormatDuration(f.every), d)
	}
	return nil
}

// holdDuration is how long a hold runs: -d, or the default.
func holdDuration(f *runFlags) time.Duration {
	if f.duration > 0 {
		return f.duration
	}
	return engine.DefaultDuration
}
