package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// Timeline draws one run over time to path (.png or .svg), in stacked
// panels sharing the time axis: throughput (responses/s), and for an
// open-model run its target rate (following its stages when it ramped)
// and its dropped requests in all; when anything failed, the failures on
// a scale of their own (see failuresPlot); the connections open
// at the end of each second, for hold runs and runs whose connection count
// changed, with the count asked for (a closed-model ramp's following its
// stages); and the p50, p99 and max latency (ms, log
// scale; from the intended send time in an open-model or hold run). A
// hold run that sent no request (no --every) has its connections alone,
// and its errors/s when it had errors. Each second is drawn as a step
// over the interval it covers, so the whole run is shown, however short.
func Timeline(res *stats.Result, path string, size Size) error {
	lk := lookFor(size)
	tl, err := timelinePlots(lk, res)
	if err != nil {
		return err
	}
	h := timelineHeader(res)
	if size.W <= 0 || size.H <= 0 {
		size = defaultTimelineSize(len(tl.rows))
	}
	return render(path, size, func(dc draw.Canvas) { drawGrid(drawHeader(dc, lk, h), lk, tl.rows, tl.keys, fitPanel(lk)) })
}

// timelineHeader titles the chart and says in the subtitle what was run
// (see runDescription).
func timelineHeader(res *stats.Result) header {
	h := header{title: "Throughput and latency over time"}
	switch {
	case sentNothing(res):
		h.title = "Connections over time"
	case res.Model == "hold":
		h.title = "Connections, throughput and latency over time"
	}
	h.subtitle = runDescription(res)
	if res.Saturation.Saturated {
		h.warning = "schedule not kept: " + res.Saturation.Reason
		if res.Saturation.Reason == "" {
			h.warning = "schedule not kept: it could not keep its schedule"
		}
	}
	return h
}

// defaultTimelineSize is the size of a timeline when none is asked for:
// the default, made taller by two inches for each panel beyond two, so
// that each keeps about the height of one of two.
func defaultTimelineSize(panels int) Size {
	return Size{DefaultWidth, DefaultHeight + vg.Length(max(panels-2, 0))*2*vg.Inch}
}

// span is the time an interval covers, in seconds since the run began.
type span struct{ lo, hi float64 }

func (s span) mid() float64 { return (s.lo + s.hi) / 2 }

// timeline is the panels of a timeline, one per row, top to bottom, and
// the keys drawn above some of them.
type timeline struct {
	rows [][]*plot.Plot
	keys map[*plot.Plot]panelKey
}

// sentNothing reports whether res is a hold run that sent no request
// (one without --every): it measured connections, no response.
func sentNothing(res *stats.Result) bool {
	return res.Model == "hold" && res.Requests == 0 && res.Responses == 0
}

// timelinePlots builds the panels of the timeline, top to bottom.
func timelinePlots(lk look, res *stats.Result) (timeline, error) {
	tl := timeline{keys: map[*plot.Plot]panelKey{}}
	var spans []span
	var ivs []*stats.Interval
	for i := range res.Intervals {
		iv := &res.Intervals[i]
		if iv.EndNs > iv.StartNs {
			spans = append(spans, span{float64(iv.StartNs) / 1e9, float64(iv.EndNs) / 1e9})
			ivs = append(ivs, iv)
		}
	}
	if len(spans) == 0 {
		return tl, errmsg.Errorf(ErrNoData, "the run has no intervals to draw")
	}
	panels, err := timelinePanels(lk, res, spans, ivs, tl.keys)
	if err != nil {
		return tl, err
	}
	end := spans[len(spans)-1].hi
	// Why milliseconds under a second: a run of 950 µs in seconds had
	// the one tick "0".
	ticks, unit := timeTicks, "s"
	if end < 1 {
		ticks, unit = msTimeTicks, "ms"
	}
	tl.rows = make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		p.X.Min, p.X.Max = 0, end
		p.X.Tick.Marker = plot.TickerFunc(ticks)
		if i < len(panels)-1 {
			// The panels share their time axis, labelled once at the
			// bottom: the room of the labels goes to the data.
			p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
				tks := ticks(min, max)
				for j := range tks {
					tks[j].Label = ""
				}
				return tks
			})
		}
		tl.rows[i] = []*plot.Plot{p}
	}
	panels[len(panels)-1].X.Label.Text = timeAxisLabel(res, unit)
	return tl, nil
}

// timelinePanels returns the panels of the timeline, top to bottom, and
// adds the keys drawn above them to keys. Why no throughput or latency
// panel for a hold run that sent nothing: they would chart, as zeros,
// what was never measured.
func timelinePanels(lk look, res *stats.Result, spans []span, ivs []*stats.Interval, keys map[*plot.Plot]panelKey) ([]*plot.Plot, error) {
	if sentNothing(res) {
		conns, err := connectionsPlot(lk, res, spans, ivs)
		if err != nil {
			return nil, err
		}
		conns.Legend.Add("no requests sent (a hold run without --every sends none)")
		if !hasFailures(ivs) {
			conns.Legend.Add("errors: none")
			return []*plot.Plot{conns}, nil
		}
		fails, err := failuresPlot(lk, spans, ivs)
		return []*plot.Plot{conns, fails}, err
	}
	top, err := throughputPlot(lk, res, spans, ivs)
	if err != nil {
		return nil, err
	}
	panels := []*plot.Plot{top}
	if hasFailures(ivs) {
		fails, err := failuresPlot(lk, spans, ivs)
		if err != nil {
			return nil, err
		}
		panels = append(panels, fails)
	}
	if showConnections(res, ivs) {
		conns, err := connectionsPlot(lk, res, spans, ivs)
		if err != nil {
			return nil, err
		}
		if res.Model == "hold" {
			panels = append([]*plot.Plot{conns}, panels...)
		} else {
			panels = append(panels, conns)
		}
	}
	latency, key, err := latencyPlot(lk, res, spans, ivs)
	if err != nil {
		return nil, err
	}
	if len(key.captions)+len(key.entries) > 0 {
		keys[latency] = key
	}
	return append(panels, latency), nil
}

// showConnections reports whether the open connections deserve a panel:
// always for a hold run, whose main measure they are, for a run whose
// connections churned, and for any run in which their count moved by
// more than a tenth (a ramp, or drops).
func showConnections(res *stats.Result, ivs []*stats.Interval) bool {
	if res.Model == "hold" || churned(res) {
		return true
	}
	lo, hi := math.MaxInt, 0
	for _, iv := range ivs {
		lo, hi = min(lo, iv.OpenConns), max(hi, iv.OpenConns)
	}
	return hi > 0 && hi-lo > hi/10
}

// steps returns the lines of a step series: value i held over span i,
// broken where ok is false.
func steps(spans []span, value func(i int) (float64, bool)) []plotter.XYs {
	var segs []plotter.XYs
	var cur plotter.XYs
	for i, s := range spans {
		v, ok := value(i)
		if !ok {
			if len(cur) > 0 {
				segs, cur = append(segs, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: s.lo, Y: v}, plotter.XY{X: s.hi, Y: v})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

// addLines adds the segments of one series to p in style sty, with one
// legend entry named name; it returns the largest y.
func addLines(p *plot.Plot, segs []plotter.XYs, sty draw.LineStyle, name string) (float64, error) {
	yMax := 0.0
	for i, seg := range segs {
		l, err := plotter.NewLine(seg)
		if err != nil {
			return 0, err
		}
		l.LineStyle = sty
		p.Add(l)
		if i == 0 && name != "" {
			p.Legend.Add(name, l)
		}
		for _, pt := range seg {
			yMax = max(yMax, pt.Y)
		}
	}
	return yMax, nil
}

// throughputPlot draws responses/s and, for an open-model run, its target
// rate and the total of dropped requests; "errors: none" when nothing
// failed, the total of failed statuses of a run saved without them per
// second.
func throughputPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Responses/s")
	p.Y.Tick.Marker = newLinearTicker(p.Y.Tick.Label.Font.Size)
	p.Legend.Top = true
	p.Legend.XOffs = -lk.pt(8)
	rate := func(i int) (float64, bool) { return float64(ivs[i].Responses) / (spans[i].hi - spans[i].lo), true }
	yMax, err := addLines(p, steps(spans, rate), draw.LineStyle{Color: seriesColor(0), Width: lk.pt(2)}, "responses/s")
	if err != nil {
		return nil, err
	}
	// Why after: the rate asked for is drawn over the responses, which
	// often follow it exactly and hid it; its dashes let them show. Why
	// from the plan and never from requests sent plus dropped: dropped
	// requests are all counted at the end.
	target, name := targetRateLine(res, spans[len(spans)-1].hi)
	y, err := addPlanned(p, lk, target, name)
	if err != nil {
		return nil, err
	}
	yMax = max(yMax, y)
	var failedPerSec uint64
	for _, iv := range ivs {
		failedPerSec += iv.FailedResponses()
	}
	if n := res.FailedResponses(); n > 0 && failedPerSec == 0 {
		// A run saved before the status classes were kept per second.
		p.Legend.Add(fmt.Sprintf("non-2xx/3xx: %s in all (not saved per second)", stats.GroupDigits(int64(n))))
	}
	if !hasFailures(ivs) {
		p.Legend.Add("errors: none") // else the failures panel says
	}
	if res.Model == "open" {
		// Why a total and no rate: dropped requests are counted when the
		// run ends (due and never sent by then), so all of them fall in
		// the last second, where a rate would tower over the responses.
		var dropped uint64
		for _, iv := range ivs {
			dropped += iv.Dropped
		}
		if n := max(res.Dropped, dropped); n > 0 {
			p.Legend.Add(stats.GroupDigits(int64(n)) + " dropped: due, never sent by the end")
		} else {
			p.Legend.Add("dropped: none")
		}
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(yMax, 1) * 1.08 // fitPanel adds the legend's room
	return p, nil
}

// latencyKey says above the latency panel which line is which, and for a
// run timed from the intended send (open model, hold with requests) that
// it is.
func latencyKey(res *stats.Result) panelKey {
	var k panelKey
	if res.Model == "open" || res.Model == "hold" {
		k.captions = []string{
			"Latency from the intended send time (coordinated omission corrected):",
			"Latency from the intended send time:",
			"From intended send:",
		}
	}
	return k
}

// latencyPlot draws the p50, p99 and max latency of each interval, with
// their key; an interval without responses is a gap, and a run without
// any says so.
func latencyPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, panelKey, error) {
	p := newPlot(lk, "", "", "Latency")
	key := latencyKey(res)
	yLo, yHi := math.Inf(1), 0.0
	// Why the widths and the order: p99 is often max (a second of few
	// responses) and p50 too (of one), and a line drawn over its equal
	// hid it; max is drawn first and widest, p50 last and narrowest, so
	// that lines that coincide show as bands.
	for j := 2; j >= 0; j-- {
		value := func(i int) (float64, bool) {
			h := ivs[i].Latency
			if !recorded(h) {
				return 0, false // no responses: a gap, not a zero, on a log axis
			}
			us := [...]int64{stats.Quantile(h, 50), stats.Quantile(h, 99), h.Max()}[j]
			return msOf(us), true
		}
		segs := steps(spans, value)
		sty := draw.LineStyle{Color: seriesColor([]int{2, 1, 3}[j]), Width: lk.pt([]float64{1.5, 2.5, 5}[j])}
		if j == 2 { // max: a light band, wide enough to show around p99
			sty.Color = maxBandColor()
		}
		if _, err := addLines(p, segs, sty, ""); err != nil {
			return nil, key, err
		}
		entry := legendEntry{texts: []string{[]string{"p50", "p99", "max"}[j]}, thumbs: []plot.Thumbnailer{lineSample(sty)}}
		key.entries = append([]legendEntry{entry}, key.entries...)
		for _, seg := range segs {
			for _, pt := range seg {
				yLo, yHi = min(yLo, pt.Y), max(yHi, pt.Y)
			}
		}
	}
	p.Y.Scale = plot.LogScale{}
	if yHi == 0 {
		// Why no key and no ticks: a caption over no line, and values
		// on an axis of nothing, would be made up.
		key = panelKey{}
		p.Y.Tick.Marker = plot.ConstantTicks(nil)
		p.Y.Min, p.Y.Max = 0.1, 10
		note, err := plotter.NewLabels(plotter.XYLabels{
			XYs: []plotter.XY{{X: spans[len(spans)-1].hi / 2, Y: 1}}, Labels: []string{"no responses: no latency to show"}})
		if err != nil {
			return nil, key, err
		}
		note.TextStyle[0].Font = lk.font(labelPt, false)
		note.TextStyle[0].XAlign, note.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
		p.Add(note)
		return p, key, nil
	}
	p.Y.Tick.Marker = newLatencyTicker(p.Y.Tick.Label.Font.Size, yLo)
	// Why no room for a legend: the key is drawn above the panel, so
	// the axis ends just above the data (drawGrid lowers its bottom to a
	// label).
	p.Y.Min, p.Y.Max = logRange(yLo, yHi)
	return p, key, nil
}

// lineSample returns a legend sample of a line in sty.
func lineSample(sty draw.LineStyle) plot.Thumbnailer {
	return &plotter.Line{LineStyle: sty}
}

// fitPanel returns what fits a timeline panel to the data area it will
// have: its y label in a shorter form when the full one is taller than
// the panel, and the top of its y axis raised so that the legend, drawn
// at the top, stays clear of the data (the axis's top is the data's top
// until then). The room is at most 60% of a linear panel, half of a log
// one.
func fitPanel(lk look) func(p *plot.Plot, data draw.Canvas) {
	return func(p *plot.Plot, data draw.Canvas) {
		dataH := data.Max.Y - data.Min.Y
		if dataH <= 0 {
			return
		}
		shortenYLabel(p, dataH)
		if lt, ok := p.Y.Tick.Marker.(*linearTicker); ok {
			lt.heightPt = dataH
		}
		legH := p.Legend.Rectangle(data).Size().Y
		// Why the margin: gonum draws a legend from the top of the plot,
		// a little above the data area.
		frac := 0.0
		if legH > 0 {
			frac = min(float64((legH+lk.pt(10))/dataH), 0.6)
		}
		if _, log := p.Y.Scale.(plot.LogScale); log {
			fitLogAxis(p, dataH, p.Y.Max, frac)
			return
		}
		if frac == 0 {
			return
		}
		p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)/(1-frac)
	}
}

// shortenYLabel gives p's y axis a shorter label while its label is
// longer than room, the panel's height.
func shortenYLabel(p *plot.Plot, room vg.Length) {
	shorter := map[string][]string{
		"Open connections": {"Connections", "Conns"},
		"Responses/s":      {"Resp./s"},
	}
	for _, s := range shorter[p.Y.Label.Text] {
		if p.Y.Label.TextStyle.Width(p.Y.Label.Text) <= room {
			return
		}
		p.Y.Label.Text = s
	}
}
