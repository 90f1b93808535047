package stats

import (
	"io"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/nowait/nowait/internal/errmsg"
)

// Tags of the whole-run histograms in histograms.hlog.
const (
	TagLatency = "latency"
	TagService = "service"
	TagConnect = "connect"
	TagSendLag = "send_lag"
)

// startMsOf returns the run's start in ms since the epoch, as the logs
// stamp it; a start before 1970 (an unset one) counts as the epoch, since
// log readers do not parse negative times.
func startMsOf(start time.Time) int64 {
	return max(start.UnixMilli(), 0)
}

// hlogBaseMs is the log's base time: the run's start truncated to the
// second, because the log writer prints StartTime and BaseTime in whole
// seconds and a reader adds them back to the relative time stamps.
func hlogBaseMs(start time.Time) int64 {
	ms := startMsOf(start)
	return ms - ms%1000
}

// startHlog writes the header of an HdrHistogram log whose time stamps are
// relative to the second the run started in.
func startHlog(w io.Writer, start time.Time, comment string) (*hdrhistogram.HistogramLogWriter, error) {
	lw := hdrhistogram.NewHistogramLogWriter(w)
	base := hlogBaseMs(start)
	lw.SetBaseTime(base)
	for _, step := range []func() error{
		lw.OutputLogFormatVersion,
		func() error { return lw.OutputComment("[" + comment + "]") },
		func() error {
			return lw.OutputComment("[Values in microseconds; Interval_Max in seconds (microseconds / 1e6)]")
		},
		func() error { return lw.OutputStartTime(base) },
		func() error { return lw.OutputBaseTime(base) },
		lw.OutputLegend,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return lw, nil
}

// outputStamped writes h to lw stamped [startMs, endMs] with tag, leaving
// h's own time stamps and tag as they were.
func outputStamped(lw *hdrhistogram.HistogramLogWriter, h *hdrhistogram.Histogram, startMs, endMs int64, tag string) error {
	s, e, t := h.StartTimeMs(), h.EndTimeMs(), h.Tag()
	h.SetStartTimeMs(startMs)
	h.SetEndTimeMs(endMs)
	h.SetTag(tag)
	err := lw.OutputIntervalHistogram(h)
	h.SetStartTimeMs(s)
	h.SetEndTimeMs(e)
	h.SetTag(t)
	return err
}

// WriteHlog writes the corrected latency of res's intervals as an
// HdrHistogram interval log (format 1.3), one untagged histogram per
// interval, time stamps relative to the second res started in.
func WriteHlog(w io.Writer, res *Result) error {
	lw, err := startHlog(w, res.Start, "nowait corrected latency, one histogram per interval")
	if err != nil {
		return err
	}
	startMs := startMsOf(res.Start)
	for i := range res.Intervals {
		iv := &res.Intervals[i]
		h := iv.Latency
		if h == nil {
			h = NewHistogram()
		}
		if err := outputStamped(lw, h, startMs+iv.StartNs/1e6, startMs+iv.EndNs/1e6, ""); err != nil {
			return err
		}
	}
	return nil
}

// WriteHistLog writes res's whole-run histograms (latency, service,
// connect, send lag) as one tagged HdrHistogram log spanning the run. It
// is the exact record that ReadDir and merge use.
func WriteHistLog(w io.Writer, res *Result) error {
	lw, err := startHlog(w, res.Start, "nowait whole-run histograms, tagged")
	if err != nil {
		return err
	}
	startMs := startMsOf(res.Start)
	endMs := startMs + res.Elapsed.Milliseconds()
	for _, th := range []struct {
		tag string
		h   *hdrhistogram.Histogram
	}{{TagLatency, res.Latency}, {TagService, res.Service}, {TagConnect, res.Connect}, {TagSendLag, res.SendLag}} {
		h := th.h
		if h == nil {
			h = NewHistogram()
		}
		if err := outputStamped(lw, h, startMs, endMs, th.tag); err != nil {
			return err
		}
	}
	return nil
}

// ReadHlog reads every histogram of an HdrHistogram log, in order. Each
// carries its tag and absolute start and end times in ms since the epoch.
func ReadHlog(r io.Reader) ([]*hdrhistogram.Histogram, error) {
	lr := hdrhistogram.NewHistogramLogReader(r)
	var hs []*hdrhistogram.Histogram
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return hs, errmsg.Errorf(ErrCorrupt, "%v", err)
		}
		if h == nil {
			return hs, nil
		}
		hs = append(hs, h)
	}
}

// intervalsFromHlog turns the histograms of latency.hlog into intervals of
// a run that started at start; times come back to the millisecond.
func intervalsFromHlog(hs []*hdrhistogram.Histogram, start time.Time) ([]Interval, error) {
	startMs := startMsOf(start)
	ivs := make([]Interval, 0, len(hs))
	for _, h := range hs {
		if h.Tag() != "" {
			continue // not ours: tools may add tagged series to a log
		}
		if err := checkGeometry(h); err != nil {
			return nil, err
		}
		ivs = append(ivs, Interval{
			StartNs: (h.StartTimeMs() - startMs) * 1e6,
			EndNs:   (h.EndTimeMs() - startMs) * 1e6,
			Latency: h,
		})
	}
	return ivs, nil
}

// checkGeometry rejects a histogram that would not merge exactly with
// nowait's own.
func checkGeometry(h *hdrhistogram.Histogram) error {
	if h.LowestTrackableValue() != LowestUs || h.HighestTrackableValue() < HighestUs || h.SignificantFigures() != SigFigs {
		return errmsg.Errorf(ErrCorrupt, "its histograms record %d to %d µs to %d digits, not %d to %d to %d as nowait's do",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
			LowestUs, HighestUs, SigFigs)
	}
	return nil
}
