package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/plots"
	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// compareFlags are the flags of `nowait compare`.
type compareFlags struct {
	run         runFlags
	modes       string
	connections string
	pause       time.Duration
	out         string
	model       string // closed (default) or hold
	tls         bool   // the built-in target serves HTTPS
	size        string // the chart's size, WIDTHxHEIGHT in inches
}

// CompareCell is one cell of the modes × connections matrix, as written to
// compare.json.
type CompareCell struct {
	Mode        string `json:"mode"`
	Connections int    `json:"connections"`
	// Interrupted says the cell was cut short by Ctrl-C: its summary
	// covers only the time it ran.
	Interrupted bool           `json:"interrupted,omitempty"`
	Error       string         `json:"error,omitempty"`
	Summary     *stats.Summary `json:"summary,omitempty"`
}

// CompareReport is the body of compare.json.
type CompareReport struct {
	Schema   int     `json:"schema_version"`
	Target   string  `json:"target"`
	Duration float64 `json:"duration_s"`
	// What every cell ran besides: the model, pipelining, the hold
	// model's request interval and connect rate, full TLS handshakes.
	Model       string  `json:"model,omitempty"`
	Pipeline    int     `json:"pipeline,omitempty"`
	EverySec    float64 `json:"every_s,omitempty"`
	ConnectRate float64 `json:"connect_rate_per_s,omitempty"`
	NoTLSResume bool    `json:"no_tls_resume,omitempty"`
	// Interrupted says Ctrl-C stopped the comparison: the last cell may
	// have been cut short and the cells after it never ran.
	Interrupted bool          `json:"interrupted"`
	Cells       []CompareCell `json:"cells"`
}

func newCompareCmd(a *app) *cobra.Command {
	f := &compareFlags{}
	c := &cobra.Command{
		Use:   "compare [URL]",
		Short: "Run the same load in several I/O modes and connection counts, side by side",
		Long: `Run the matrix modes × connection counts, each cell a fresh engine, and
print throughput, latency and what each cell cost the generator (CPU per
request, RSS per connection, threads). Without a URL it compares against
the built-in target, started as a child process; with --tls that target
serves HTTPS and every cell trusts its self-signed certificate.`,
		Example: `  nowait compare http://127.0.0.1:8080/ --modes async,sync,goroutine --connections 10,100,1000,5000 -d 5s
  nowait compare http://127.0.0.1:8080/ --model hold --connections 1000,5000,15000 --modes async,sync,goroutine
  go run . compare
  nowait compare --tls --modes async,goroutine   # over HTTPS, against the built-in target
  nowait compare http://127.0.0.1:8080/ --connections 100,1000 --out results/compare`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("compare takes at most one URL (none: the built-in target), got %d arguments: %s (see '%s --help')",
					len(args), strings.Join(args, " "), c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := explicitZeros(c); err != nil {
				return err
			}
			return a.compare(c.Context(), args, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.modes, "modes", strings.Join(modes, ","), "comma-separated I/O modes to compare")
	fl.StringVar(&f.connections, "connections", "10,100,1000", "comma-separated connection counts")
	fl.DurationVarP(&f.run.duration, "duration", "d", 3*time.Second, "how long each cell runs")
	fl.IntVar(&f.run.pipeline, "pipeline", 1, "requests in flight per connection")
	fl.IntVarP(&f.run.loops, "loops", "t", 0, "event loops in async mode, as wrk's -t threads (default: number of CPUs)")
	fl.DurationVar(&f.pause, "pause", time.Second, "pause between cells, so sockets in TIME_WAIT do not skew the next")
	fl.StringVar(&f.model, "model", "closed", "load model of every cell: closed (requests as fast as answered) or hold (open the connections and keep them)")
	fl.DurationVar(&f.run.every, "every", 0, "hold: each connection sends one request this often")
	fl.Float64Var(&f.run.connectRate, "connect-rate", 0, "hold: connects per second (default: as fast as possible)")
	fl.StringVar(&f.out, "out", "", "write compare.json (and the comparison chart) into this directory")
	fl.StringVar(&f.size, "size", "", "with --out: the chart's size in inches, WIDTHxHEIGHT, at least 4x3 (fonts scale with it); default 8x5, 8x7 for a hold comparison with --every")
	fl.BoolVar(&f.run.jsonOut, "json", false, "print compare.json on stdout instead of the table")
	addInsecureFlag(fl, &f.run)
	addCACertFlag(fl, &f.run)
	addNoTLSResumeFlag(fl, &f.run)
	fl.BoolVar(&f.tls, "tls", false, "without a URL: the built-in target serves HTTPS (a self-signed certificate, which every cell trusts) and every cell runs over it")
	f.run.method, f.run.timeout, f.run.connectTimeout = "GET", engine.DefaultTimeout, engine.DefaultConnectTimeout
	return c
}

// parseModes parses --modes.
func parseModes(s string) ([]string, error) {
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if _, err := newEngine(m); err != nil {
			return nil, err
		}
		if slices.Contains(out, m) {
			return nil, usageErr("--modes lists %s twice; give each mode once, such as %s", m, strings.Join(modes, ","))
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, usageErr("--modes is empty; want a list such as %s", strings.Join(modes, ","))
	}
	return out, nil
}

// parseCounts parses a comma-separated list of connection counts.
func parseCounts(flag, s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 {
			return nil, usageErr("%s: %q is not a connection count; want whole numbers of at least 1, such as 10,100,1000", flag, part)
		}
		if slices.Contains(out, n) {
			return nil, usageErr("%s lists %d twice; give each count once, such as 10,100,1000", flag, n)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, usageErr("%s is empty; want a list such as 10,100,1000", flag)
	}
	return out, nil
}

// compareMatrix is what compare runs: the checked flags, modes and
// counts, and the chart's size.
type compareMatrix struct {
	modes  []string
	counts []int
	size   plots.Size
}

// checkCompare checks every flag and the URL before anything starts, with
// the checks run makes: each mode's flags for the largest count make a
// scenario (against a stand-in address when the built-in target is to be
// started), and one of them is compiled, once, since what compiling adds
// (resolving the host) is the same in every mode.
func checkCompare(ctx context.Context, args []string, f *compareFlags, made *newDirs) (compareMatrix, error) {
	var m compareMatrix
	var err error
	if m.modes, err = parseModes(f.modes); err != nil {
		return m, err
	}
	switch f.model {
	case "closed":
		if f.run.every > 0 || f.run.connectRate > 0 {
			return m, usageErr("--every and --connect-rate apply to --model hold only")
		}
	case "hold":
		f.run.hold = true
	default:
		return m, usageErr("--model %q is not a model compare runs; want closed or hold", f.model)
	}
	if m.counts, err = parseCounts("--connections", f.connections); err != nil {
		return m, err
	}
	if m.size, err = parseSize(f.size); err != nil {
		return m, err
	}
	if f.size != "" && f.out == "" {
		return m, usageErr("--size %s sizes the chart, which only --out writes; add --out DIR, or drop --size", f.size)
	}
	switch {
	case f.pause < 0:
		return m, usageErr("--pause must be 0 or more, such as 1s, got %s", f.pause)
	case f.run.loops < 0:
		return m, usageErr("-t/--loops must be at least 1, got %d", f.run.loops)
	}
	url := "http://127.0.0.1/" // a stand-in for the built-in target's address
	switch {
	case len(args) == 1 && f.tls:
		return m, usageErr("--tls serves the built-in target over HTTPS; with a URL, give an https:// URL instead, such as https://127.0.0.1:8443/ (with --cacert FILE or -k for a self-signed certificate)")
	case len(args) == 1:
		url = args[0]
	case f.tls && f.run.caCert != "":
		return m, usageErr("--cacert %s: with --tls the cells trust the built-in target's own certificate; drop --cacert", f.run.caCert)
	case f.tls:
		url = "https://127.0.0.1/"
	}
	biggest := slices.Max(m.counts)
	for i, mode := range m.modes {
		rf := cellFlags(f, mode, biggest)
		sc, err := scenarioFromFlags(url, &rf)
		if err != nil {
			return m, err
		}
		if i == 0 {
			if _, err := compilePlan(ctx, sc); err != nil {
				return m, err
			}
		}
	}
	if err := checkConnectionLimit(biggest, 0); err != nil {
		return m, err
	}
	if f.out != "" {
		if err := makeOutDir(f.out, made); err != nil {
			return m, err
		}
	}
	return m, nil
}

// cellFlags are the run flags of one cell.
func cellFlags(f *compareFlags, mode string, conns int) runFlags {
	rf := f.run
	rf.mode, rf.connections = mode, conns
	if mode != "async" { // --loops is the async cells'; the other modes refuse it
		rf.loops = 0
	}
	return rf
}

// makeOutDir creates --out before any load, so a path that cannot be a
// result directory is found before the matrix runs, not after.
func makeOutDir(dir string, made *newDirs) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErr("--out %s is a file; want a directory (it is created if missing)", dir)
	}
	// The same check as run's --out: created, and a file can be written
	// in it (a read-only directory was found only after the whole matrix).
	if err := writableDir(dir, made); err != nil {
		return usageErr("--out %s %v; want a directory nowait can create or write into", dir, err)
	}
	return nil
}

func (a *app) compare(ctx context.Context, args []string, f *compareFlags) error {
	m, err := checkCompare(ctx, args, f, &a.dirs)
	if err != nil {
		return err
	}
	var url string
	if len(args) == 1 {
		url = args[0]
	} else {
		t, err := a.startBuiltinTarget(f.tls)
		if err != nil {
			return runErr(err)
		}
		defer t.stop()
		url, f.run.caCert = t.url, t.caFile
		fmt.Fprintf(a.stderr, "Built-in target listening on %s\n", t.describe())
	}
	report := CompareReport{Schema: stats.SchemaVersion, Target: scenarios.RedactURL(url), Duration: f.run.duration.Seconds(),
		Model: f.model, EverySec: f.run.every.Seconds(), ConnectRate: f.run.connectRate, NoTLSResume: f.run.noTLSResume}
	if !f.run.hold {
		report.Pipeline = f.run.pipeline
	}
	tw := newCompareTable(a.stdout, !f.run.jsonOut, f.run.hold, isHTTPS(url))
	var noConnection error
cells:
	for _, n := range m.counts {
		for _, mode := range m.modes {
			if ctx.Err() != nil {
				break cells
			}
			cell := a.compareCell(ctx, url, mode, n, f)
			report.Cells = append(report.Cells, cell)
			tw.row(cell)
			if len(report.Cells) == 1 && cell.madeNoConnection() {
				// Nothing could connect: the other cells would only say so again.
				noConnection = fmt.Errorf("%s; stopped after the first cell", cell.Error)
				break cells
			}
			if f.pause > 0 && ctx.Err() == nil {
				select {
				case <-time.After(f.pause):
				case <-ctx.Done():
				}
			}
		}
	}
	report.Interrupted = ctx.Err() != nil && noConnection == nil
	if report.Interrupted {
		tw.interrupted(len(report.Cells), len(m.modes)*len(m.counts))
	}
	if f.run.jsonOut {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return runErr(err)
		}
	}
	if f.out != "" {
		wrote, err := writeCompare(f.out, report, m.size, a.stderr)
		if err != nil {
			return runErr(err)
		}
		if !f.run.jsonOut {
			fmt.Fprintf(a.stdout, "\nWrote %s\n", strings.Join(wrote, ", "))
		}
	}
	if noConnection != nil {
		return runErr(noConnection)
	}
	return compareOutcome(report)
}

// madeNoConnection says the cell ran and not one connect succeeded.
func (c CompareCell) madeNoConnection() bool {
	return !c.Interrupted && c.Summary != nil && c.Summary.Connects == 0 && c.Summary.Responses == 0
}

// compareCell runs one cell and never fails the whole comparison: a cell's
// error is part of its result. Each cell runs in a child process of this
// binary when it can, so peak RSS, threads and CPU are the cell's own (a
// process's peak RSS never goes down, and a mode's threads would linger).
func (a *app) compareCell(ctx context.Context, url, mode string, conns int, f *compareFlags) CompareCell {
	cell := CompareCell{Mode: mode, Connections: conns}
	rf := cellFlags(f, mode, conns)
	if exe, err := a.selfExe(); err == nil {
		s, err := runCellProcess(ctx, exe, url, &rf)
		cell.Summary = s
		cell.Interrupted = s != nil && s.Interrupted
		if err != nil && !cell.Interrupted { // an interrupted cell's error only says it was interrupted
			cell.Error = err.Error()
		}
		return cell
	}
	plan, err := planFromFlags(ctx, url, &rf)
	if err != nil {
		cell.Error = err.Error()
		return cell
	}
	eng, err := newEngine(mode)
	if err != nil {
		cell.Error = err.Error()
		return cell
	}
	res, err := engine.Execute(ctx, eng, plan)
	if err != nil {
		cell.Error = err.Error()
		return cell
	}
	if res.Mode == "" {
		res.Mode = mode
	}
	s := stats.Summarize(res)
	cell.Summary = &s
	cell.Interrupted = res.Interrupted
	if cell.madeNoConnection() {
		cell.Error = noConnectionError(res).Error()
	}
	return cell
}

// runCellProcess runs `nowait run --json` (or `hold`) for one cell as a
// childProcess and returns its summary. A run that fails still returns its
// summary when it printed one. On Ctrl-C, which only nowait receives (the
// cell has a process group of its own), the cell is interrupted in turn
// and reports what it measured.
func runCellProcess(ctx context.Context, exe, url string, rf *runFlags) (*stats.Summary, error) {
	conns, dur := strconv.Itoa(rf.connections), rf.duration.String()
	args := []string{"run", url, "--json", "--mode", rf.mode, "-c", conns, "-d", dur, "--pipeline", strconv.Itoa(rf.pipeline)}
	if rf.hold {
		args = []string{"hold", url, "--json", "--mode", rf.mode, "-c", conns, "-d", dur}
	}
	// Why only when set: a flag left out is the child's default, while an
	// explicit 0 is refused (explicitZeros: --every 0s would fail every
	// hold cell). -c, -d and --pipeline are positive: checkCompare checked.
	if rf.every > 0 {
		args = append(args, "--every", rf.every.String())
	}
	if rf.connectRate > 0 {
		args = append(args, "--connect-rate", strconv.FormatFloat(rf.connectRate, 'g', -1, 64))
	}
	if rf.loops > 0 {
		args = append(args, "--loops", strconv.Itoa(rf.loops))
	}
	if rf.insecure {
		args = append(args, "--insecure")
	}
	if rf.caCert != "" {
		args = append(args, "--cacert", rf.caCert)
	}
	if rf.noTLSResume {
		args = append(args, "--no-tls-resume")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // let the child report what it measured
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	child, err := startChild(cmd)
	if err != nil {
		return nil, fmt.Errorf("starting the cell: %w", err)
	}
	waitErr := child.wait()
	message := func() string {
		return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), "nowait: "))
	}
	var s stats.Summary
	if jerr := json.Unmarshal(stdout.Bytes(), &s); jerr != nil {
		msg := message()
		if msg == "" && waitErr != nil {
			msg = waitErr.Error()
		}
		if msg == "" {
			msg = "the cell printed no summary"
		}
		return nil, errors.New(msg)
	}
	if waitErr != nil {
		return &s, errors.New(message())
	}
	return &s, nil
}

// compareOutcome fails the command when it was interrupted or when no
// cell produced a result.
func compareOutcome(r CompareReport) error {
	if r.Interrupted {
		return runErr(errors.New("interrupted: the table covers the cells that ran; the last one may have been cut short"))
	}
	for _, c := range r.Cells {
		if c.Error == "" {
			return nil
		}
	}
	if len(r.Cells) > 0 {
		return runErr(fmt.Errorf("every cell failed; the first: %s", r.Cells[0].Error))
	}
	return runErr(fmt.Errorf("the comparison was interrupted before its first cell"))
}

// writeCompare writes compare.json and the comparison chart into dir,
// saying on notes when there is no chart to draw, and returns the paths
// of the files it wrote.
func writeCompare(dir string, r CompareReport, size plots.Size, notes io.Writer) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, ".compare.json.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "compare.json")
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	charts, err := drawCompareChart(dir, r, size, notes)
	return append([]string{path}, charts...), err
}
