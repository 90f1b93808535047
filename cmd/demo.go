package cmd

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/target"
)

func newDemoCmd(a *app) *cobra.Command {
	f := &runFlags{}
	var useTLS bool
	c := &cobra.Command{
		Use:   "demo",
		Short: "Benchmark the built-in target: a first run with no setup",
		Long: `Start the built-in target on 127.0.0.1 (as a child process, so the
generator's CPU figures are its own) and run nowait against it.

--tls serves the target over HTTPS with a self-signed certificate made at
start, and the run trusts exactly that certificate (as --cacert would).`,
		Example: `  go run . demo
  nowait demo -c 200 -d 5s --latency
  nowait demo --tls --mode sync`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := explicitZeros(c); err != nil {
				return err
			}
			if err := checkDemoFlags(f, useTLS); err != nil {
				return err
			}
			t, err := a.startBuiltinTarget(useTLS)
			if err != nil {
				return runErr(err)
			}
			defer t.stop()
			fmt.Fprintf(a.stdout, "Built-in target listening on %s\n", t.describe())
			f.caCert = t.caFile
			if err := a.runURL(c.Context(), t.url, f); err != nil {
				return err
			}
			fmt.Fprint(a.stdout, demoNext(useTLS))
			return nil
		},
	}
	fl := c.Flags()
	fl.IntVarP(&f.connections, "connections", "c", 100, "connections to keep open")
	fl.DurationVarP(&f.duration, "duration", "d", 5*time.Second, "how long to run")
	fl.IntVar(&f.pipeline, "pipeline", 1, "requests in flight per connection")
	fl.BoolVar(&f.latency, "latency", false, "print the full latency percentile distribution")
	fl.StringVar(&f.mode, "mode", "async", "I/O mode: async, sync or goroutine")
	fl.BoolVar(&useTLS, "tls", false, "serve the target over HTTPS with a self-signed certificate, which the run trusts")
	addNoTLSResumeFlag(fl, f)
	f.method, f.timeout, f.connectTimeout = "GET", 10*time.Second, 5*time.Second
	return c
}

// demoNext is what demo suggests after a run: the same against the
// user's own server, with the result files and charts, and the modes side
// by side; over HTTPS after demo --tls, and demo --tls after a plain one.
func demoNext(useTLS bool) string {
	const files = `
Next: load your own server and keep the files and charts (summary.json,
timeseries.csv, HdrHistogram logs, spectrum and timeline PNGs):
`
	if useTLS {
		return files + `  nowait run https://127.0.0.1:8443/ -c 100 -d 10s --out results --cacert server.pem   # trust this certificate
  nowait run https://127.0.0.1:8443/ -R 20000 -d 30s -k   # a fixed rate; -k accepts any certificate
  nowait compare --tls                                    # async, sync and goroutine modes side by side, over HTTPS
`
	}
	return files + `  nowait run http://127.0.0.1:8080/ -c 100 -d 10s --out results
  nowait run http://127.0.0.1:8080/ -R 20000 -d 30s   # a fixed rate: latency from the intended send
  nowait compare                                      # async, sync and goroutine modes side by side
  nowait demo --tls                                   # this demo over HTTPS
`
}

// checkDemoFlags checks demo's flags as run would, before the target
// starts, so every usage error is found first. The plan itself is built
// once, by runURL, when the target's address is known: here the flags
// make a scenario against a stand-in address, which is all there is to
// check, since compiling it could refuse only a host that does not
// resolve, a body file or --source-ips, and demo has none of them.
func checkDemoFlags(f *runFlags, useTLS bool) error {
	url := "http://127.0.0.1/"
	if useTLS {
		url = "https://127.0.0.1/"
	}
	sc, err := scenarioFromFlags(url, f)
	if err != nil {
		return err
	}
	return checkConnectionLimit(sc.Load.Connections, f.extraFDs)
}

// builtinTarget is the built-in target demo and compare start.
type builtinTarget struct {
	addr   string // 127.0.0.1:PORT
	url    string // http://ADDR/ or https://ADDR/
	caFile string // https: a temporary file holding the target's self-signed certificate (PEM); "" for http
	stop   func() // stops the target and removes caFile
}

// describe says where the target listens and, over HTTPS, which
// certificate the run trusts.
func (t *builtinTarget) describe() string {
	if t.caFile == "" {
		return t.addr
	}
	return t.url + " with a self-signed certificate, trusted as --cacert " + t.caFile
}

// startBuiltinTarget starts the target as a child process of this binary,
// serving HTTPS when useTLS (its certificate written to a temporary file
// for the run to trust). If the child cannot be started it falls back to
// an in-process target, which does the same.
func (a *app) startBuiltinTarget(useTLS bool) (*builtinTarget, error) {
	t := &builtinTarget{}
	removeCert := func() {}
	if useTLS {
		file, err := os.CreateTemp("", "nowait-target-*.pem")
		if err != nil {
			return nil, fmt.Errorf("a file for the target's certificate: %w", err)
		}
		if err := file.Close(); err != nil {
			_ = os.Remove(file.Name()) // the close's failure is what to report
			return nil, fmt.Errorf("a file for the target's certificate: %w", err)
		}
		t.caFile = file.Name()
		removeCert = func() { _ = os.Remove(t.caFile) } // a temporary file left behind harms nothing
	}
	if exe, err := a.selfExe(); err == nil {
		addr, stop, err := startTargetChild(exe, t.caFile)
		if err == nil {
			t.addr, t.url = addr, targetURL(addr, useTLS)
			t.stop = func() { stop(); removeCert() }
			return t, nil
		}
		fmt.Fprintf(a.stderr, "note: the target could not run as a child process (%v)\n", err)
	}
	srv, err := target.Start("127.0.0.1:0", target.Config{TLS: useTLS})
	if err != nil {
		removeCert()
		return nil, err
	}
	if useTLS {
		if err := os.WriteFile(t.caFile, srv.CertificatePEM(), 0o644); err != nil {
			_ = srv.Close() // the write's failure is what to report
			removeCert()
			return nil, fmt.Errorf("writing the target's certificate: %w", err)
		}
	}
	fmt.Fprintln(a.stderr, "note: the target runs in this process, so the generator's CPU figures include it")
	t.addr, t.url = srv.Addr(), srv.URL()
	t.stop = func() { _ = srv.Close(); removeCert() }
	return t, nil
}

// targetURL is the URL of the built-in target listening on addr.
func targetURL(addr string, useTLS bool) string {
	if useTLS {
		return "https://" + addr + "/"
	}
	return "http://" + addr + "/"
}

// startTargetChild runs `exe target` on a free loopback port as a
// childProcess and returns its address and a function that stops it.
// With certOut it serves HTTPS and writes its certificate there before it
// says where it listens. A Ctrl-C does not reach the target: it serves
// until the caller stops it, after the client has finished, so an
// interrupted run reports only what the target did.
func startTargetChild(exe, certOut string) (string, func(), error) {
	args := []string{"target", "--listen", "127.0.0.1:0"}
	if certOut != "" {
		args = append(args, "--tls", "--cert-out", certOut)
	}
	cmd := exec.Command(exe, args...)
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
	// "listening on ADDR", or with TLS "listening on https://ADDR/".
	where, ok := strings.CutPrefix(line, "listening on ")
	addr := where
	if ok && certOut != "" {
		addr, ok = strings.CutPrefix(strings.TrimSuffix(where, "/"), "https://")
	}
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
