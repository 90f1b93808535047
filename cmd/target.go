package cmd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func newTargetCmd(a *app) *cobra.Command {
	var listen, delayDist, certOut string
	var faults []string
	var cfg target.Config
	c := &cobra.Command{
		Use:   "target",
		Short: "Serve the built-in HTTP/1.1 target (or HTTPS), with latency and fault knobs",
		Long: `Serve the built-in HTTP/1.1 target until interrupted.

Every path answers 200 with a body of --body-size bytes (0: no body),
except /status/N, which answers with status N for N from 200 to 599 (any
other N gets 400 and a line saying so). The first line printed is
"listening on ADDR".

--tls serves HTTPS instead, with a self-signed certificate made at start
(ECDSA P-256, for 127.0.0.1, ::1 and localhost, valid 24 hours). The first
line is then "listening on https://ADDR/"; clients need -k/--insecure, or
the certificate: --cert-out FILE writes it, for curl --cacert FILE.

--fault KIND[:PERCENT] gives that share of requests a fault (100% if no
percent is given); repeat it or separate faults by commas to mix them,
up to 100% in all. The kinds:
  reset       headers and half the body, then a TCP reset
  close       a complete 200, then the connection is closed
  garbage     bytes that are not HTTP, then close
  big-header  a 200 with one header of --header-size bytes
  short-body  half the body Content-Length announces, then close
  drip        a complete 200, one byte every --drip-every, then close
  hang        read the request, never answer
  500, 503    that status

--stall D --stall-every P holds every response for D once every P (a
request arriving during a stall waits until it ends); --refuse D
--refuse-every P stops listening for D once every P (dials are refused;
open connections stay). Both first strike one period after the start.`,
		Example: `  nowait target --listen 127.0.0.1:8080
  nowait target --listen 127.0.0.1:8080 --delay 2ms --jitter 1ms --body-size 512
  nowait target --listen 127.0.0.1:8080 --delay 5ms --delay-dist exponential
  nowait target --listen 127.0.0.1:8080 --stall 300ms --stall-every 2s
  nowait target --listen 127.0.0.1:8080 --fault reset:5,503:10 --fault hang:1
  nowait target --listen 127.0.0.1:8080 --refuse 500ms --refuse-every 3s --close-after 100
  nowait target --listen 127.0.0.1:8443 --tls --cert-out target.pem`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			fs, err := parseFaults(faults)
			if err != nil {
				return usageErr("--fault: %v", err)
			}
			cfg.Faults = fs
			if err := targetZeros(c, &cfg); err != nil {
				return err
			}
			if cfg.DelayDist, err = target.ParseDelayDist(delayDist); err != nil {
				return usageErr("--delay-dist %q: want fixed, uniform or exponential", delayDist)
			}
			if err := cfg.Validate(); err != nil {
				return usageErr("%v", err)
			}
			if err := checkListen(listen); err != nil {
				return err
			}
			if certOut != "" && !cfg.TLS {
				return usageErr("--cert-out %s needs --tls: only an HTTPS target has a certificate to write", certOut)
			}
			if err := companionFlags(c, cfg); err != nil {
				return err
			}
			if err := checkCertOut(certOut, &a.dirs); err != nil {
				return err
			}
			// Each held connection is an open file: take all the OS allows.
			if limit, err := raiseFileLimit(); err == nil && limit < target.MaxConns+fdReserve {
				fmt.Fprintf(a.stderr, "note: this process may open %s files, so it holds at most about %s (ulimit -n raises it)\n",
					fmtCount(limit), stats.Count(int(limit)-fdReserve, "connection"))
			}
			srv, err := target.Start(listen, cfg)
			if err != nil {
				return listenErr(listen, err)
			}
			if err := announceTarget(a, srv, certOut); err != nil {
				_ = srv.Close() // the write's failure is what to report
				return runErr(err)
			}
			<-c.Context().Done()
			if err := srv.Close(); err != nil {
				return runErr(err)
			}
			printTargetStats(a, srv.Stats())
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fl.IntVar(&cfg.BodySize, "body-size", target.DefaultBodySize, "bytes of body in each 200 response (0: no body)")
	fl.BoolVar(&cfg.LowMemory, "low-memory", false, "release idle connections' buffers (1 KiB per idle connection instead of ~24) at the cost of pipelined throughput")
	fl.DurationVar(&cfg.Delay, "delay", 0, "fixed delay before each response")
	fl.DurationVar(&cfg.Jitter, "jitter", 0, "extra random delay, uniform in [0, jitter)")
	fl.StringVar(&delayDist, "delay-dist", "fixed", "how each --delay is drawn, with --delay as the mean: fixed, uniform (0 to 2x) or exponential")
	fl.IntVar(&cfg.CloseAfter, "close-after", 0, "close each connection after this many responses (0: never)")
	fl.StringSliceVar(&faults, "fault", nil, "KIND[:PERCENT] of requests to give a fault ("+target.FaultKindNames()+"); repeatable")
	fl.IntVar(&cfg.HeaderSize, "header-size", target.DefaultHeaderSize, "bytes of the header the big-header fault sends")
	fl.DurationVar(&cfg.DripEvery, "drip-every", target.DefaultDripEvery, "gap between the bytes the drip fault sends")
	fl.DurationVar(&cfg.Stall, "stall", 0, "hold every response for this long once every --stall-every")
	fl.DurationVar(&cfg.StallEvery, "stall-every", 0, "period of the stalls")
	fl.DurationVar(&cfg.Refuse, "refuse", 0, "stop listening for this long once every --refuse-every")
	fl.DurationVar(&cfg.RefuseEvery, "refuse-every", 0, "period of the refusals")
	fl.BoolVar(&cfg.TLS, "tls", false, "serve HTTPS with a self-signed certificate; clients need -k/--insecure or the certificate (--cert-out)")
	fl.StringVar(&certOut, "cert-out", "", "with --tls: write the certificate to this file (PEM), for curl --cacert")
	return c
}

// announceTarget prints where the target listens: "listening on ADDR"
// (bench/vs-wrk.sh reads ADDR as the third word), or with TLS "listening
// on https://ADDR/" and a line on trusting the certificate, which it
// first writes to certOut if given.
func announceTarget(a *app, srv *target.Server, certOut string) error {
	if srv.Certificate() == nil {
		fmt.Fprintf(a.stdout, "listening on %s\n", srv.Addr())
		return nil
	}
	if certOut != "" {
		if err := os.WriteFile(certOut, srv.CertificatePEM(), 0o644); err != nil {
			return fmt.Errorf("--cert-out %s: cannot write the certificate: %w", certOut, stats.PathErrCause(err))
		}
	}
	fmt.Fprintf(a.stdout, "listening on %s\n", srv.URL())
	if certOut == "" {
		fmt.Fprintf(a.stdout, "self-signed certificate for 127.0.0.1, ::1 and localhost: clients need -k/--insecure (curl -k), or --cert-out FILE for curl --cacert FILE\n")
	} else {
		fmt.Fprintf(a.stdout, "self-signed certificate for 127.0.0.1, ::1 and localhost written to %s: curl --cacert %s %s (or -k/--insecure)\n", certOut, certOut, srv.URL())
	}
	return nil
}

// checkCertOut checks, before the target starts, that --cert-out names a
// file nowait can write: not a directory, in a directory that exists (or
// is created) and takes files, as --out and --junit are checked.
func checkCertOut(path string, made *newDirs) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil // a device or a pipe (/dev/stdout): written in place
	}
	if (err == nil && fi.IsDir()) || strings.HasSuffix(path, "/") {
		return usageErr("--cert-out %s: is a directory; want a file name such as %s", path, filepath.Join(path, "target.pem"))
	}
	if err := writableDir(filepath.Dir(path), made); err != nil {
		return usageErr("--cert-out %s: its directory %s %v; want a file in a directory nowait can create or write into", path, filepath.Dir(path), err)
	}
	return nil
}

// companionFlags refuses a flag that does nothing without another, as
// --cert-out needs --tls: --drip-every without the drip fault,
// --header-size without the big-header fault, --delay-dist without
// --delay. Accepted, they would start a target that silently does not
// do what was asked.
func companionFlags(c *cobra.Command, cfg target.Config) error {
	has := func(k target.FaultKind) bool {
		for _, f := range cfg.Faults {
			if f.Kind == k {
				return true
			}
		}
		return false
	}
	given := func(name string) (string, bool) {
		fl := c.Flags().Lookup(name)
		return fl.Value.String(), fl.Changed
	}
	if v, ok := given("drip-every"); ok && !has(target.FaultDrip) {
		return usageErr("--drip-every %s needs --fault drip: it is the gap between the bytes of a dripped response; add --fault drip[:PERCENT], or drop it", v)
	}
	if v, ok := given("header-size"); ok && !has(target.FaultBigHeader) {
		return usageErr("--header-size %s needs --fault big-header: it is the size of that fault's header; add --fault big-header[:PERCENT], or drop it", v)
	}
	if v, ok := given("delay-dist"); ok && cfg.Delay == 0 {
		return usageErr("--delay-dist %s needs --delay: it draws each delay with --delay as the mean; add --delay (such as --delay 5ms), or drop it", v)
	}
	return nil
}

// targetZeros reads the zeros given on the command line, which the
// target.Config fields would take as their defaults: --body-size 0 is an
// empty body, and --header-size 0 and --drip-every 0 mean nothing a fault
// can do, so they are refused.
func targetZeros(c *cobra.Command, cfg *target.Config) error {
	given := func(name string) bool { return c.Flags().Changed(name) }
	switch {
	case given("header-size") && cfg.HeaderSize == 0:
		return usageErr("--header-size must be at least 1 byte, got 0; leave it out for the default %d", target.DefaultHeaderSize)
	case given("drip-every") && cfg.DripEvery == 0:
		return usageErr("--drip-every must be positive, got 0s; leave it out for the default %s", target.DefaultDripEvery)
	case given("body-size") && cfg.BodySize == 0:
		cfg.EmptyBody = true
	}
	return nil
}

// parseFaults reads --fault values, each KIND or KIND:PERCENT (a trailing
// % is allowed), into target faults. It checks each one and the total.
func parseFaults(specs []string) ([]target.Fault, error) {
	var fs []target.Fault
	seen := map[target.FaultKind]bool{}
	total := 0.0
	for _, spec := range specs {
		name, pct, hasPct := strings.Cut(strings.TrimSpace(spec), ":")
		kind, ok := target.ParseFaultKind(name)
		if !ok {
			return nil, fmt.Errorf("unknown kind %q; want one of %s", name, target.FaultKindNames())
		}
		p := 100.0
		if hasPct {
			v, err := strconv.ParseFloat(strings.TrimSuffix(pct, "%"), 64)
			if err != nil || !(v > 0 && v <= 100) {
				return nil, fmt.Errorf("bad percent %q in %q; want a number in (0, 100]", pct, spec)
			}
			p = v
		}
		if seen[kind] {
			return nil, fmt.Errorf("%s given twice", kind)
		}
		seen[kind] = true
		total += p
		fs = append(fs, target.Fault{Kind: kind, Percent: p})
	}
	if total > 100+1e-9 {
		return nil, fmt.Errorf("percentages add up to %g; at most 100", total)
	}
	return fs, nil
}

// printTargetStats prints what the target did, after it closed.
func printTargetStats(a *app, st target.Stats) {
	fmt.Fprintf(a.stdout, "served %s on %s\n", stats.Count(st.Served, "response"), stats.Count(st.Accepted, "connection"))
	if len(st.Faults) > 0 {
		var parts []string
		for _, k := range target.FaultKinds() {
			if n := st.Faults[k]; n > 0 {
				parts = append(parts, k.String()+" "+fmtCount(n))
			}
		}
		fmt.Fprintf(a.stdout, "faults: %s\n", strings.Join(parts, ", "))
	}
	if st.Stalled > 0 || st.Refusals > 0 {
		fmt.Fprintf(a.stdout, "stalled %s; refused connections %s\n", stats.Count(st.Stalled, "response"), stats.Count(st.Refusals, "time"))
	}
}

// checkListen checks --listen is HOST:PORT with a port from 0 to 65535.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErr("--listen %q: want HOST:PORT, such as 127.0.0.1:8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usageErr("--listen %q: port %s is out of range; want 0 to 65535 (0 picks a free port)", addr, port)
	}
	return nil
}

// listenErr says why the target could not listen on --listen addr, and
// what to give instead: an address that is in use, not this host's, or
// a port below 1024 without the privilege is the user's to change
// (usage, 2); anything else failed (1).
func listenErr(addr string, err error) error {
	host, port, _ := net.SplitHostPort(addr) // checkListen passed
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return usageErr("--listen %s: port %s is in use; pick another, or port 0 for a free one (%s:0)", addr, port, host)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return usageErr("--listen %s: %s is not an address of this host; give one it has, such as 127.0.0.1:%s", addr, host, port)
	case errors.Is(err, syscall.EACCES):
		return usageErr("--listen %s: port %s needs privileges this process lacks; pick one above 1023, or port 0 for a free one", addr, port)
	}
	return runErr(err)
}
