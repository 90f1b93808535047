package cmd

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/target"
)

func newDemoCmd(a *app) *cobra.Command {
	f := &runFlags{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Benchmark the built-in target: a first run with no setup",
		Long: `Start the built-in target on 127.0.0.1 (as a child process, so the
generator's CPU figures are its own) and run nowait against it.`,
		Example: `  go run . demo
  nowait demo -c 200 -d 5s --latency`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := explicitZeros(c); err != nil {
				return err
			}
			if err := checkDemoFlags(f); err != nil {
				return err
			}
			addr, stop, err := a.startDemoTarget()
			if err != nil {
				return runErr(err)
			}
			defer stop()
			fmt.Fprintf(a.stdout, "Built-in target listening on %s\n", addr)
			if err := a.runURL(c.Context(), "http://"+addr+"/", f); err != nil {
				return err
			}
			fmt.Fprint(a.stdout, demoNext)
			return nil
		},
	}
	fl := c.Flags()
	fl.IntVarP(&f.connections, "connections", "c", 100, "connections to keep open")
	fl.DurationVarP(&f.duration, "duration", "d", 5*time.Second, "how long to run")
	fl.IntVar(&f.pipeline, "pipeline", 1, "requests in flight per connection")
	fl.BoolVar(&f.latency, "latency", false, "print the full latency percentile distribution")
	fl.StringVar(&f.mode, "mode", "async", "I/O mode: async, sync or goroutine")
	f.method, f.timeout, f.connectTimeout = "GET", 10*time.Second, 5*time.Second
	return c
}

// demoNext is what demo suggests after a run: the same against the
// user's own server, with the result files and charts, and the modes side
// by side.
const demoNext = `
Next: load your own server and keep the files and charts (summary.json,
timeseries.csv, HdrHistogram logs, spectrum and timeline PNGs):
  nowait run http://127.0.0.1:8080/ -c 100 -d 10s --out results
  nowait run http://127.0.0.1:8080/ -R 20000 -d 30s   # a fixed rate: latency from the intended send
  nowait compare                                      # async, sync and goroutine modes side by side
`

// checkDemoFlags checks demo's flags as run would, before the target
// starts, so every usage error is found first. The plan itself is built
// once, by runURL, when the target's address is known: here the flags
// make a scenario against a stand-in address, which is all there is to
// check, since compiling it could refuse only a host that does not
// resolve, a body file or --source-ips, and demo has none of them.
func checkDemoFlags(f *runFlags) error {
	sc, err := scenarioFromFlags("http://127.0.0.1/", f)
	if err != nil {
		return err
	}
	return checkConnectionLimit(sc.Load.Connections, f.extraFDs)
}

// startDemoTarget starts the target as a child process of this binary and
// returns its address and a function that stops it. If the child cannot be
// started it falls back to an in-process target.
func (a *app) startDemoTarget() (string, func(), error) {
	if exe, err := a.selfExe(); err == nil {
		addr, stop, err := startTargetChild(exe)
		if err == nil {
			return addr, stop, nil
		}
		fmt.Fprintf(a.stderr, "note: the target could not run as a child process (%v)\n", err)
	}
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintln(a.stderr, "note: the target runs in this process, so the generator's CPU figures include it")
	return srv.Addr(), func() { _ = srv.Close() }, nil
}

// startTargetChild runs `exe target` on a free loopback port as a
// childProcess and returns its address and a function that stops it.
// A Ctrl-C does not reach the target: it serves until the caller stops it,
// after the client has finished, so an interrupted run reports only what
// the target did.
func startTargetChild(exe string) (string, func(), error) {
	cmd := exec.Command(exe, "target", "--listen", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, fmt.Errorf("starting the target: %w", err)
	}
	child, err := startChild(cmd)
	if err != nil {
		return "", nil, fmt.Errorf("starting the target: %w", err)
	}
	line, err := readFirstLine(out, 5*time.Second)
	if err != nil {
		child.kill()
		return "", nil, err
	}
	addr, ok := strings.CutPrefix(line, "listening on ")
	if !ok {
		child.kill()
		return "", nil, fmt.Errorf("the target said %q, not where it listens", line)
	}
	return addr, child.kill, nil
}

// readFirstLine reads one line from r, giving up after timeout.
func readFirstLine(r interface{ Read([]byte) (int, error) }, timeout time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{strings.TrimSpace(line), err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-time.After(timeout):
		return "", fmt.Errorf("the target did not start within %s", timeout)
	}
}
