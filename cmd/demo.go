package cmd

import (
	"bufio"
	"context"
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
			addr, stop, err := a.startDemoTarget(c.Context())
			if err != nil {
				return runErr(err)
			}
			defer stop()
			fmt.Fprintf(a.stdout, "Built-in target listening on %s\n", addr)
			return a.runURL(c.Context(), "http://"+addr+"/", f)
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

// startDemoTarget starts the target as a child process of this binary and
// returns its address and a function that stops it. If the child cannot be
// started it falls back to an in-process target.
func (a *app) startDemoTarget(ctx context.Context) (string, func(), error) {
	if exe, err := a.selfExe(); err == nil {
		cctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(cctx, exe, "target", "--listen", "127.0.0.1:0")
		out, err := cmd.StdoutPipe()
		if err == nil && cmd.Start() == nil {
			line, err := readFirstLine(out, 5*time.Second)
			if addr, ok := strings.CutPrefix(line, "listening on "); err == nil && ok {
				return addr, func() { cancel(); _ = cmd.Wait() }, nil
			}
			cancel()
			_ = cmd.Wait()
		} else {
			cancel()
		}
	}
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintln(a.stderr, "note: the target runs in this process, so the generator's CPU figures include it")
	return srv.Addr(), func() { _ = srv.Close() }, nil
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
