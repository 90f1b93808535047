package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/nowait/nowait/internal/errmsg"
)

// ReadDir rebuilds the Result saved in dir by WriteDir: the run's facts and
// counters from summary.json, the whole-run histograms exactly from
// histograms.hlog, the intervals' latency and times from latency.hlog and
// their counters and exact times from timeseries.csv. Merging read-back
// results is exact for histograms and counters. What does not come back:
// status codes per interval (only their classes, each counted at its
// first code: 500 for the 5xx), and the warm-up's
// errors by kind (summary.json keeps only their total, which comes back
// under ErrConnect).
func ReadDir(dir string) (*Result, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, errmsg.Errorf(ErrNoResults, "%s is a file; give the result directory that holds it (%s)", dir, filepath.Dir(dir))
	}
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		if _, derr := os.Stat(dir); errors.Is(derr, fs.ErrNotExist) {
			return nil, errmsg.Errorf(ErrNoResults, "%s does not exist; give a result directory that --out wrote", dir)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errmsg.Errorf(ErrNoResults, "%s holds no nowait results (no %s); give a result directory that --out wrote", dir, SummaryFile)
		}
		return nil, errmsg.Errorf(ErrNoResults, "cannot read %s: %v", filepath.Join(dir, SummaryFile), PathErrCause(err))
	}
	s, err := parseSummary(filepath.Join(dir, SummaryFile), b)
	if err != nil {
		return nil, err
	}
	if s.Schema != SchemaVersion {
		return nil, errmsg.Errorf(ErrSchema, "%s has schema %d, and this nowait reads %d; read it with the nowait that wrote it",
			filepath.Join(dir, SummaryFile), s.Schema, SchemaVersion)
	}
	res, err := resultFromSummary(s)
	if err != nil {
		return nil, damaged(filepath.Join(dir, SummaryFile), "%v", err)
	}
	if err := readHistLog(filepath.Join(dir, HistLogFile), res); err != nil {
		return nil, err
	}
	if err := readIntervals(dir, res); err != nil {
		return nil, err
	}
	return res, nil
}

// parseSummary reads summary.json's bytes b (from path): a JSON object
// with a schema_version, or an error that says what the file holds instead.
func parseSummary(path string, b []byte) (Summary, error) {
	var s Summary
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return s, errmsg.Errorf(ErrCorrupt, "%s is not a nowait summary: %s; %s", path, JSONProblem(err), rewrite)
	}
	if _, ok := fields["schema_version"]; !ok {
		return s, errmsg.Errorf(ErrSchema, "%s is not a nowait summary: it has no schema_version (nowait writes %d); %s", path, SchemaVersion, rewrite)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, errmsg.Errorf(ErrCorrupt, "%s is not a nowait summary: %s; %s", path, JSONProblem(err), rewrite)
	}
	return s, nil
}

// resultFromSummary fills a Result with everything summary.json holds
// besides the histograms.
func resultFromSummary(s Summary) (*Result, error) {
	r := NewResult()
	r.Mode, r.Model, r.Target = s.Mode, s.Model, s.Target
	r.Connections, r.Loops, r.Pipeline, r.RatePerSec = s.Connections, s.Loops, s.Pipeline, s.RatePerSec
	r.Ramp = s.Ramp // nil in a directory written before ramps were kept
	r.ConnectionsAsked = s.ConnsAsked
	r.Start = s.Start
	r.Elapsed = secondsToDuration(s.DurationSec)
	r.Warmup = secondsToDuration(s.WarmupSec)
	r.Interrupted = s.Interrupted
	r.Requests, r.Responses, r.Dropped, r.Resent = s.Requests, s.Responses, s.Dropped, s.Resent
	r.BytesIn, r.BytesOut, r.Connects, r.ServerClosed = s.BytesIn, s.BytesOut, s.Connects, s.ServerClosed
	r.TLSResumed = s.TLSResumed // 0 in a directory written before it was counted
	for code, n := range s.Status {
		c, err := strconv.Atoi(code)
		if err != nil || c < 0 || c >= MaxStatus {
			return nil, fmt.Errorf("%q under status is not a status code", code)
		}
		r.Status[c] = n
	}
	for name, n := range s.Errors {
		k, ok := ErrorKindByName(name)
		if !ok {
			return nil, fmt.Errorf("%q under errors is not an error kind nowait counts", name)
		}
		r.Errors[k] = n
	}
	if w := s.Warmup; w != nil {
		r.WarmupCounters.Requests = w.Requests
		r.WarmupCounters.Responses = w.Responses
		r.WarmupCounters.Errors[ErrConnect] = w.Errors // only the total is saved
	}
	r.OpenConnsAtEnd, r.InFlightAtEnd, r.PeakOpenConns = s.OpenConnsAtEnd, s.InFlightAtEnd, s.PeakOpenConns
	r.EstablishedIn = time.Duration(s.EstablishedSec * float64(time.Second))
	r.FirstConnectErr = s.FirstConnectError
	r.HTTPToTLS = s.HTTPToTLS
	r.Generator = s.Generator
	r.Saturation = s.Saturation
	return r, nil
}

// secondsToDuration converts seconds as summary.json keeps them back to
// a Duration, to the nanosecond.
func secondsToDuration(sec float64) time.Duration {
	return time.Duration(math.Round(sec * 1e9))
}

// openResultFile opens a file of a result directory; one missing or
// unreadable is ErrCorrupt, as the result directory is incomplete.
func openResultFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errmsg.Errorf(ErrCorrupt, "%s has no %s; %s", filepath.Dir(path), filepath.Base(path), rewrite)
	}
	if err != nil {
		return nil, errmsg.Errorf(ErrCorrupt, "cannot read %s: %v", path, PathErrCause(err))
	}
	return f, nil
}

// readHlogFile reads the histogram log at path (see openResultFile).
func readHlogFile(path string) ([]*hdrhistogram.Histogram, error) {
	f, err := openResultFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hs, err := ReadHlog(f)
	if err != nil {
		return nil, damaged(path, "%v", err)
	}
	return hs, nil
}

// readHistLog reads the tagged whole-run histograms into res.
func readHistLog(path string, res *Result) error {
	hs, err := readHlogFile(path)
	if err != nil {
		return err
	}
	dst := map[string]**hdrhistogram.Histogram{
		TagLatency: &res.Latency, TagService: &res.Service, TagConnect: &res.Connect, TagSendLag: &res.SendLag,
	}
	seen := map[string]bool{}
	for _, h := range hs {
		tag := h.Tag()
		p, ok := dst[tag]
		if !ok {
			continue
		}
		if err := checkGeometry(h); err != nil {
			return damaged(path, "%v", err)
		}
		h.SetTag("")
		*p = h
		seen[tag] = true
	}
	for _, tag := range []string{TagLatency, TagService, TagConnect, TagSendLag} { // in this order: the message is the same each time
		if !seen[tag] {
			return damaged(path, "it has no histogram tagged %s", tag)
		}
	}
	return nil
}

// readIntervals reads latency.hlog and timeseries.csv into res.Intervals,
// matched row by row.
func readIntervals(dir string, res *Result) error {
	path := filepath.Join(dir, LatencyLogFile)
	hs, err := readHlogFile(path)
	if err != nil {
		return err
	}
	ivs, err := intervalsFromHlog(hs, res.Start)
	if err != nil {
		return damaged(path, "%v", err)
	}
	tpath := filepath.Join(dir, TimeseriesFile)
	tf, err := openResultFile(tpath)
	if err != nil {
		return err
	}
	defer tf.Close()
	counts, err := ReadTimeseries(tf)
	if err != nil {
		return damaged(tpath, "%v", err)
	}
	if len(counts) != len(ivs) {
		return errmsg.Errorf(ErrCorrupt, "%s is damaged: %s has %s and %s %s; %s",
			dir, LatencyLogFile, Count(len(ivs), "interval"), TimeseriesFile, Count(len(counts), "interval"), rewrite)
	}
	for i := range ivs {
		ivs[i].Counters = counts[i].Counters
		ivs[i].OpenConns = counts[i].OpenConns
		// Why: the log keeps times to the millisecond, and its reader may
		// truncate one below; the CSV keeps them exactly.
		if counts[i].EndNs > 0 {
			ivs[i].StartNs, ivs[i].EndNs = counts[i].StartNs, counts[i].EndNs
		}
	}
	res.Intervals = ivs
	return nil
}

