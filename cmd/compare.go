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
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/engine"
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
}

// CompareCell is one cell of the modes × connections matrix, as written to
// compare.json.
type CompareCell struct {
	Mode        string         `json:"mode"`
	Connections int            `json:"connections"`
	Error       string         `json:"error,omitempty"`
	Summary     *stats.Summary `json:"summary,omitempty"`
}

// CompareReport is the body of compare.json.
type CompareReport struct {
	Schema   int           `json:"schema_version"`
	Target   string        `json:"target"`
	Duration float64       `json:"duration_s"`
	Cells    []CompareCell `json:"cells"`
}

func newCompareCmd(a *app) *cobra.Command {
	f := &compareFlags{}
	c := &cobra.Command{
		Use:   "compare [URL]",
		Short: "Run the same load in several I/O modes and connection counts, side by side",
		Long: `Run the matrix modes × connection counts, each cell a fresh engine, and
print throughput, latency and what each cell cost the generator (CPU per
request, RSS per connection, threads). Without a URL it compares against
the built-in target, started as a child process.`,
		Example: `  nowait compare http://127.0.0.1:8080/ --modes async,sync,goroutine --connections 10,100,1000,5000 -d 5s
  nowait compare http://127.0.0.1:8080/ --model hold --connections 1000,5000,15000 --modes async,sync,goroutine
  go run . compare
  nowait compare http://127.0.0.1:8080/ --connections 100,1000 --out results/compare`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
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
	fl.BoolVar(&f.run.jsonOut, "json", false, "print compare.json on stdout instead of the table")
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
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, usageErr("%s is empty; want a list such as 10,100,1000", flag)
	}
	return out, nil
}

func (a *app) compare(ctx context.Context, args []string, f *compareFlags) error {
	ms, err := parseModes(f.modes)
	if err != nil {
		return err
	}
	switch f.model {
	case "closed":
		if f.run.every > 0 || f.run.connectRate > 0 {
			return usageErr("--every and --connect-rate apply to --model hold only")
		}
	case "hold":
		f.run.hold = true
		if err := holdModel(&f.run); err != nil {
			return err
		}
	default:
		return usageErr("--model %q is not a model compare runs; want closed or hold", f.model)
	}
	counts, err := parseCounts("--connections", f.connections)
	if err != nil {
		return err
	}
	biggest := 0
	for _, n := range counts {
		biggest = max(biggest, n)
	}
	if err := checkConnectionLimit(biggest, 0); err != nil {
		return err
	}
	var url string
	if len(args) == 1 {
		url = args[0]
	} else {
		addr, stop, err := a.startDemoTarget(ctx)
		if err != nil {
			return runErr(err)
		}
		defer stop()
		url = "http://" + addr + "/"
		fmt.Fprintf(a.stderr, "Built-in target listening on %s\n", addr)
	}
	report := CompareReport{Schema: stats.SchemaVersion, Target: url, Duration: f.run.duration.Seconds()}
	tw := newCompareTable(a.stdout, !f.run.jsonOut, f.run.hold)
	for _, n := range counts {
		for _, mode := range ms {
			if ctx.Err() != nil {
				break
			}
			cell := a.compareCell(ctx, url, mode, n, f)
			report.Cells = append(report.Cells, cell)
			tw.row(cell)
			if f.pause > 0 && ctx.Err() == nil {
				select {
				case <-time.After(f.pause):
				case <-ctx.Done():
				}
			}
		}
	}
	if f.run.jsonOut {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return runErr(err)
		}
	}
	if f.out != "" {
		if err := writeCompare(f.out, report, a.stderr); err != nil {
			return runErr(err)
		}
		if !f.run.jsonOut {
			fmt.Fprintf(a.stdout, "\nWrote %s\n", filepath.Join(f.out, "compare.json"))
		}
	}
	return compareOutcome(report)
}

// compareCell runs one cell and never fails the whole comparison: a cell's
// error is part of its result. Each cell runs in a child process of this
// binary when it can, so peak RSS, threads and CPU are the cell's own (a
// process's peak RSS never goes down, and a mode's threads would linger).
func (a *app) compareCell(ctx context.Context, url, mode string, conns int, f *compareFlags) CompareCell {
	cell := CompareCell{Mode: mode, Connections: conns}
	if mode != "async" { // --loops is the async cells'; the other modes refuse it
		own := *f
		own.run.loops = 0
		f = &own
	}
	if exe, err := a.selfExe(); err == nil {
		s, err := runCellProcess(ctx, exe, url, mode, conns, f)
		if err != nil {
			cell.Error = err.Error()
		}
		cell.Summary = s
		return cell
	}
	rf := f.run
	rf.mode, rf.connections = mode, conns
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
	if res.Connects == 0 && res.Responses == 0 {
		cell.Error = noConnectionError(res).Error()
	}
	return cell
}

// runCellProcess runs `nowait run --json` for one cell and returns its
// summary. A run that fails still returns its summary when it printed one.
func runCellProcess(ctx context.Context, exe, url, mode string, conns int, f *compareFlags) (*stats.Summary, error) {
	args := []string{"run", url, "--json", "--mode", mode,
		"-c", strconv.Itoa(conns), "-d", f.run.duration.String(), "--pipeline", strconv.Itoa(f.run.pipeline)}
	if f.run.hold {
		args = []string{"hold", url, "--json", "--mode", mode, "-c", strconv.Itoa(conns), "-d", f.run.duration.String(),
			"--every", f.run.every.String(), "--connect-rate", strconv.FormatFloat(f.run.connectRate, 'g', -1, 64)}
	}
	if f.run.loops > 0 {
		args = append(args, "--loops", strconv.Itoa(f.run.loops))
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // let the child report what it measured
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var s stats.Summary
	if jerr := json.Unmarshal(stdout.Bytes(), &s); jerr != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), "nowait: "))
		if msg == "" && runErr != nil {
			msg = runErr.Error()
		}
		if msg == "" {
			msg = "the cell printed no summary"
		}
		return nil, errors.New(msg)
	}
	if runErr != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), "nowait: "))
		return &s, errors.New(msg)
	}
	return &s, nil
}

// compareOutcome fails the command when no cell produced a result.
func compareOutcome(r CompareReport) error {
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
// saying on notes when an old chart was removed.
func writeCompare(dir string, r CompareReport, notes io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".compare.json.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "compare.json")); err != nil {
		return err
	}
	return drawCompareChart(dir, r, notes)
}

// compareTable prints the cells as they complete, in fixed-width columns
// so each row can be printed as soon as its cell ends.
type compareTable struct {
	w       io.Writer
	enabled bool
	hold    bool // the hold table's columns
}

const compareRow = "%-9s %6s %9s %8s %8s %8s %11s %9s %9s %7s %7s\n"

// holdRow is the hold model's row: what holding cost, not throughput.
const holdRow = "%-9s %6s %11s %9s %9s %9s %9s %9s %7s %7s %7s\n"

func newCompareTable(w io.Writer, enabled, hold bool) *compareTable {
	t := &compareTable{w: w, enabled: enabled, hold: hold}
	if enabled && hold {
		fmt.Fprintf(w, holdRow, "mode", "conns", "established", "all open", "connect50", "connect99", "RSS", "RSS/conn", "threads", "CPU s", "errors")
	} else if enabled {
		// "µ" is two bytes and one column: pad its header by one more.
		fmt.Fprintf(w, compareRow, "mode", "conns", "req/s", "p50", "p99", "p99.9", " CPU µs/req", "RSS", "RSS/conn", "threads", "errors")
	}
	return t
}

func (t *compareTable) row(c CompareCell) {
	if !t.enabled {
		return
	}
	if c.Summary == nil {
		fmt.Fprintf(t.w, "%-9s %6d  failed: %s\n", c.Mode, c.Connections, c.Error)
		return
	}
	s := c.Summary
	if t.hold {
		allOpen := "never"
		if s.EstablishedSec > 0 {
			allOpen = fmtSeconds(s.EstablishedSec)
		}
		fmt.Fprintf(t.w, holdRow, c.Mode, strconv.Itoa(c.Connections), fmtCount(uint64(s.PeakOpenConns)), allOpen,
			fmtMs(s.Connect.P(50)), fmtMs(s.Connect.P(99)), fmtBytes(float64(s.Generator.PeakRSSBytes)),
			fmtBytes(s.RSSBytesPerConn), strconv.Itoa(s.Generator.PeakThreads),
			strconv.FormatFloat(s.Generator.CPUSec(), 'f', 2, 64), fmtCount(s.ErrorTotal))
		return
	}
	fmt.Fprintf(t.w, compareRow, c.Mode, strconv.Itoa(c.Connections), fmtRate(s.RequestsPerSec),
		fmtMs(s.Latency.P(50)), fmtMs(s.Latency.P(99)), fmtMs(s.Latency.P(99.9)),
		strconv.FormatFloat(s.CPUMicrosPerReq, 'f', 1, 64), fmtBytes(float64(s.Generator.PeakRSSBytes)),
		fmtBytes(s.RSSBytesPerConn), strconv.Itoa(s.Generator.PeakThreads), fmtCount(s.ErrorTotal))
}
