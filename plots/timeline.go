package plots

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nowait/nowait/stats"
)

// Timeline draws one run over time to path (.png or .svg), in stacked
// panels sharing the time axis: throughput (responses/s) with the
// responses/s whose status is outside 200-399 when there are any (the
// report's failed statuses) and errors/s marked, and for an open-model run its target rate (following its stages
// when it ramped) and its dropped requests in all; the connections open
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

// timelineHeader titles the chart and says in the subtitle what was run:
// the target (shortened to fit when drawn), mode and load model.
func timelineHeader(res *stats.Result) header {
	h := header{title: "Throughput and latency over time"}
	switch {
	case sentNothing(res):
		h.title = "Connections over time"
	case res.Model == "hold":
		h.title = "Connections, throughput and latency over time"
	}
	var what []string
	if res.Mode != "" {
		what = append(what, res.Mode)
	}
	switch {
	case res.Model == "open" && len(res.Ramp) > 0:
		what = append(what, "open model at "+stats.RampText(res.Ramp)+" req/s")
	case res.Model == "open" && res.RatePerSec > 0:
		what = append(what, "open model at "+stats.GroupDigits(int64(math.Round(res.RatePerSec)))+" req/s")
	case res.Model != "":
		what = append(what, res.Model+" model")
	}
	switch {
	case res.Model == "closed" && len(res.Ramp) > 0:
		what = append(what, stats.RampText(res.Ramp)+" connections")
	case res.Connections > 0:
		what = append(what, stats.GroupDigits(int64(res.Connections))+" connections")
	}
	h.subtitle = res.Target
	if len(what) > 0 {
		h.subtitle = strings.TrimPrefix(h.subtitle+" — "+strings.Join(what, ", "), " — ")
	}
	if res.Saturation.Saturated {
		h.warning = "generator saturated: " + res.Saturation.Reason
		if res.Saturation.Reason == "" {
			h.warning = "generator saturated: it could not keep its schedule"
		}
	}
	return h
}

// defaultTimelineSize is the size of a timeline when none is asked for:
// the default, made taller for a third panel so that each keeps the
// height of one of two.
func defaultTimelineSize(panels int) Size {
	if panels <= 2 {
		return Size{DefaultWidth, DefaultHeight}
	}
	return Size{DefaultWidth, DefaultHeight * 1.4}
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
		return tl, errorf(ErrNoData, "the run has no intervals to draw")
	}
	panels, err := timelinePanels(lk, res, spans, ivs, tl.keys)
	if err != nil {
		return tl, err
	}
	end := spans[len(spans)-1].hi
	tl.rows = make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		p.X.Min, p.X.Max = 0, end
		p.X.Tick.Marker = plot.TickerFunc(timeTicks)
		tl.rows[i] = []*plot.Plot{p}
	}
	panels[len(panels)-1].X.Label.Text = "Time since start (s)"
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
		if res.ErrorTotal() == 0 {
			conns.Legend.Add("errors: none")
			return []*plot.Plot{conns}, nil
		}
		errs, err := errorsPlot(lk, spans, ivs)
		return []*plot.Plot{conns, errs}, err
	}
	top, err := throughputPlot(lk, res, spans, ivs)
	if err != nil {
		return nil, err
	}
	latency, key, err := latencyPlot(lk, res, spans, ivs)
	if err != nil {
		return nil, err
	}
	keys[latency] = key
	if !showConnections(res, ivs) {
		return []*plot.Plot{top, latency}, nil
	}
	conns, err := connectionsPlot(lk, res, spans, ivs)
	if err != nil {
		return nil, err
	}
	if res.Model == "hold" {
		return []*plot.Plot{conns, top, latency}, nil
	}
	return []*plot.Plot{top, conns, latency}, nil
}

// showConnections reports whether the open connections deserve a panel:
// always for a hold run, whose main measure they are, and for any run in
// which their count moved by more than a tenth (a ramp, or drops).
func showConnections(res *stats.Result, ivs []*stats.Interval) bool {
	if res.Model == "hold" {
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

// addMarkers marks count/s at the middle of every interval where count is
// above zero, with a legend entry that gives the total, or says none.
func addMarkers(p *plot.Plot, lk look, spans []span, count func(i int) uint64,
	what string, glyph draw.GlyphStyle) (float64, error) {
	var pts plotter.XYs
	var total uint64
	for i, s := range spans {
		if n := count(i); n > 0 {
			pts = append(pts, plotter.XY{X: s.mid(), Y: float64(n) / (s.hi - s.lo)})
			total += n
		}
	}
	if total == 0 {
		p.Legend.Add(what + ": none")
		return 0, nil
	}
	glyph.Radius = lk.pt(4)
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return 0, err
	}
	s.GlyphStyle = glyph
	p.Add(s)
	p.Legend.Add(fmt.Sprintf("%s/s (%s in all)", what, stats.GroupDigits(int64(total))), s)
	yMax := 0.0
	for _, pt := range pts {
		yMax = max(yMax, pt.Y)
	}
	return yMax, nil
}

// throughputPlot draws responses/s, the failed statuses among them (when
// there are any), errors/s and, for an open-model run, its target rate
// and the total of dropped requests.
func throughputPlot(lk look, res *stats.Result, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Responses/s")
	p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
	p.Legend.Top = true
	p.Legend.XOffs = -lk.pt(8)
	// Why first: the rate asked for is drawn under the responses, which
	// often follow it exactly. Why from the plan and never from requests
	// sent plus dropped: dropped requests are all counted at the end.
	target, name := targetRateLine(res, spans[len(spans)-1].hi)
	yMax, err := addPlanned(p, lk, target, name)
	if err != nil {
		return nil, err
	}
	rate := func(i int) (float64, bool) { return float64(ivs[i].Responses) / (spans[i].hi - spans[i].lo), true }
	y, err := addLines(p, steps(spans, rate), draw.LineStyle{Color: seriesColor(0), Width: lk.pt(2)}, "responses/s")
	if err != nil {
		return nil, err
	}
	yMax = max(yMax, y)
	if err := addFailedStatuses(p, lk, res, spans, ivs); err != nil {
		return nil, err
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
	y, err = addMarkers(p, lk, spans, func(i int) uint64 { return ivs[i].ErrorTotal() }, "errors",
		draw.GlyphStyle{Color: errorColor(), Shape: draw.PyramidGlyph{}})
	if err != nil {
		return nil, err
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(max(yMax, y), 1) * 1.08 // fitPanel adds the legend's room
	return p, nil
}

// errorsPlot marks the errors/s of a run that sent no request: its
// connect errors.
func errorsPlot(lk look, spans []span, ivs []*stats.Interval) (*plot.Plot, error) {
	p := newPlot(lk, "", "", "Errors/s")
	p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
	p.Legend.Top = true
	p.Legend.XOffs = -lk.pt(8)
	yMax, err := addMarkers(p, lk, spans, func(i int) uint64 { return ivs[i].ErrorTotal() }, "errors",
		draw.GlyphStyle{Color: errorColor(), Shape: draw.PyramidGlyph{}})
	// Why at least 4: errors are counted whole, and a few of them on an
	// axis to 1 would get ticks at 0.25.
	p.Y.Min, p.Y.Max = 0, math.Max(yMax, 4)*1.08 // fitPanel adds the legend's room
	return p, err
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
	for j, name := range []string{"p50", "p99", "max"} {
		value := func(i int) (float64, bool) {
			h := ivs[i].Latency
			if !recorded(h) {
				return 0, false // no responses: a gap, not a zero, on a log axis
			}
			us := [...]int64{stats.Quantile(h, 50), stats.Quantile(h, 99), h.Max()}[j]
			return msOf(us), true
		}
		segs := steps(spans, value)
		sty := draw.LineStyle{Color: seriesColor([]int{2, 1, 3}[j]), Width: lk.pt(1.75)}
		if _, err := addLines(p, segs, sty, ""); err != nil {
			return nil, key, err
		}
		key.entries = append(key.entries, legendEntry{texts: []string{name}, thumbs: []plot.Thumbnailer{lineSample(sty)}})
		for _, seg := range segs {
			for _, pt := range seg {
				yLo, yHi = min(yLo, pt.Y), max(yHi, pt.Y)
			}
		}
	}
	p.Y.Scale = plot.LogScale{}
	if yHi == 0 {
		key.entries = nil
		p.Y.Tick.Marker = newLatencyTicker(p.Y.Tick.Label.Font.Size, 0)
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

// addFailedStatuses draws, under the responses/s, the responses per
// second whose status is outside 200-399, which the report counts as
// failed (a 500 is an answer, not an error), as a step line with their
// total in the legend; nothing when there are none. A run saved by a
// nowait that did not keep them per second gets their total alone.
func addFailedStatuses(p *plot.Plot, lk look, res *stats.Result, spans []span, ivs []*stats.Interval) error {
	var total uint64
	for _, iv := range ivs {
		total += iv.FailedResponses()
	}
	if total == 0 {
		if n := res.FailedResponses(); n > 0 {
			p.Legend.Add(fmt.Sprintf("non-2xx/3xx: %s in all (not saved per second)", stats.GroupDigits(int64(n))))
		}
		return nil
	}
	rate := func(i int) (float64, bool) {
		return float64(ivs[i].FailedResponses()) / (spans[i].hi - spans[i].lo), true
	}
	sty := draw.LineStyle{Color: failedColor(), Width: lk.pt(1.75)}
	_, err := addLines(p, steps(spans, rate), sty, fmt.Sprintf("non-2xx/3xx/s (%s in all)", stats.GroupDigits(int64(total))))
	return err
}
