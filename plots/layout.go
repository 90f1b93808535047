package plots

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// header is what a chart says above its panels: a title, a smaller
// subtitle (what was run, how to read it) and a warning in red (the
// schedule was not kept). Empty lines are left out.
type header struct {
	title, subtitle, warning string
}

// textStyle returns a centred, top-aligned text style in font f.
func textStyle(f vg.Length, bold bool, c color.Color, lk look) text.Style {
	return text.Style{Color: c, Font: lk.font(f, bold), XAlign: draw.XCenter, YAlign: draw.YTop,
		Handler: plot.DefaultTextHandler}
}

// warningColor is the colour of a chart's warning line.
func warningColor() color.Color { return color.RGBA{0xb0, 0x1e, 0x00, 0xff} }

// drawHeader draws h across the top of dc, each line shortened to fit the
// width, and returns the canvas left below it.
func drawHeader(dc draw.Canvas, lk look, h header) draw.Canvas {
	width := dc.Max.X - dc.Min.X - lk.pt(16)
	warnSty := textStyle(subtitlePt, true, warningColor(), lk)
	type line struct {
		s   string
		sty text.Style
	}
	lines := []line{{h.title, textStyle(titlePt, true, color.Black, lk)}}
	subSty := textStyle(subtitlePt, false, color.Gray{Y: 60}, lk)
	for _, w := range wrapText(subSty, h.subtitle, width, 4) {
		lines = append(lines, line{w, subSty})
	}
	for _, w := range wrapText(warnSty, h.warning, width, 2) {
		lines = append(lines, line{w, warnSty})
	}
	y := dc.Max.Y - lk.pt(6)
	used := false
	for _, l := range lines {
		if l.s == "" {
			continue
		}
		s := fitText(l.sty, l.s, width)
		dc.FillText(l.sty, vg.Point{X: dc.Center().X, Y: y}, s)
		y -= l.sty.Height(s) + lk.pt(3)
		used = true
	}
	if !used {
		return dc
	}
	return draw.Crop(dc, 0, 0, 0, -(dc.Max.Y - y + lk.pt(4)))
}

// fitText shortens s in the middle with an ellipsis until it is at most
// width wide in sty: a long URL keeps its scheme and host and the end of
// its query.
func fitText(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for keep := len(r) - 1; keep > 1; keep-- {
		head := (keep + 1) / 2
		t := string(r[:head]) + "…" + string(r[len(r)-(keep-head):])
		if sty.Width(t) <= width {
			return t
		}
	}
	return "…"
}

// wrapText breaks s at spaces into lines at most width wide in sty, at
// most maxLines of them; the last keeps the rest, for fitText to shorten.
func wrapText(sty text.Style, s string, width vg.Length, maxLines int) []string {
	var lines []string
	words := strings.Fields(s)
	for len(words) > 0 {
		n := 1
		for n < len(words) && sty.Width(strings.Join(words[:n+1], " ")) <= width {
			n++
		}
		if len(lines) == maxLines-1 {
			n = len(words)
		}
		lines = append(lines, strings.Join(words[:n], " "))
		words = words[n:]
	}
	return lines
}

// drawGrid draws the plots of grid (rows of equal length) in tiles of dc.
// The data areas of each column are lined up, and those of each row, so
// stacked panels share their x axis exactly; panel titles are drawn by
// drawGrid itself, at one height across a row and centred over the data
// area, as gonum would place them by each panel's own margins. A plot
// with a key in keys (which may be nil) gets it drawn in the place of its
// title, from the left of its data area. Before drawing, fit (when not
// nil) may adjust each plot to the data area it will have; a log axis
// with a logTicker is then lowered to a label under its lowest line. It
// returns the data area of each plot, as drawn.
func drawGrid(dc draw.Canvas, lk look, grid [][]*plot.Plot, keys map[*plot.Plot]panelKey,
	fit func(p *plot.Plot, data draw.Canvas)) [][]draw.Canvas {
	rows, cols := len(grid), len(grid[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: lk.pt(4), PadBottom: lk.pt(4),
		PadLeft: lk.pt(6), PadRight: lk.pt(18), PadX: lk.pt(24), PadY: lk.pt(14)}
	titles := make([][]string, rows)
	titleTop := make([]vg.Length, rows)
	titleSty := textStyle(labelPt+1, true, color.Black, lk)
	cs := make([][]draw.Canvas, rows)
	for r := range grid {
		cs[r] = make([]draw.Canvas, cols)
		titles[r] = make([]string, cols)
		var titleH vg.Length
		for c, p := range grid[r] {
			cs[r][c] = tiles.At(dc, c, r)
			titles[r][c], p.Title.Text = p.Title.Text, ""
			if titles[r][c] != "" {
				titleH = max(titleH, titleSty.Height(titles[r][c])+lk.pt(6))
			}
			if k, ok := keys[p]; ok {
				titleH = max(titleH, k.height(lk)+lk.pt(6))
			}
		}
		titleTop[r] = cs[r][0].Max.Y
		for c := range grid[r] {
			cs[r][c] = draw.Crop(cs[r][c], 0, 0, 0, -titleH)
		}
	}
	// A log axis with a logTicker (latency, and the comparison's log
	// panels) labels as densely as its height allows; the height of a data
	// area does not depend on the labels of its y axis.
	for r := range grid {
		for c, p := range grid[r] {
			d := dataCanvas(p, cs[r][c])
			if fit != nil {
				fit(p, d)
			}
			if lt, ok := p.Y.Tick.Marker.(*logTicker); ok {
				lt.heightPt = d.Max.Y - d.Min.Y
				p.Y.Min = lt.lowerMin(p.Y.Min, p.Y.Max)
			}
		}
	}
	// The data areas are lined up on the innermost edges: each column's
	// rightmost left edge and leftmost right edge, each row's lowest top and
	// highest bottom.
	left, right := make([]vg.Length, cols), make([]vg.Length, cols)
	top, bottom := make([]vg.Length, rows), make([]vg.Length, rows)
	for r := range grid {
		for c, p := range grid[r] {
			d := dataCanvas(p, cs[r][c])
			if r == 0 || d.Min.X > left[c] {
				left[c] = d.Min.X
			}
			if r == 0 || d.Max.X < right[c] {
				right[c] = d.Max.X
			}
			if c == 0 || d.Max.Y < top[r] {
				top[r] = d.Max.Y
			}
			if c == 0 || d.Min.Y > bottom[r] {
				bottom[r] = d.Min.Y
			}
		}
	}
	// Why a loop: gonum pads a data area by a share of its canvas, so one
	// crop moves the data area not quite as far as asked; a few more
	// crops of what is left over converge on the edges.
	for r := range grid {
		for c, p := range grid[r] {
			for range 6 {
				d := dataCanvas(p, cs[r][c])
				dl, dr, db, dt := left[c]-d.Min.X, d.Max.X-right[c], bottom[r]-d.Min.Y, d.Max.Y-top[r]
				if max(abs(dl), abs(dr), abs(db), abs(dt)) < vg.Points(0.05) {
					break
				}
				cs[r][c] = draw.Crop(cs[r][c], dl, -dr, db, -dt)
			}
		}
	}
	data := make([][]draw.Canvas, rows)
	for r := range grid {
		data[r] = make([]draw.Canvas, cols)
		for c, p := range grid[r] {
			drawPlot(p, cs[r][c])
			data[r][c] = dataCanvas(p, cs[r][c])
			if k, ok := keys[p]; ok {
				d := data[r][c]
				k.draw(dc, lk, d.Min.X, titleTop[r], d.Max.X-d.Min.X)
				continue
			}
			if titles[r][c] == "" {
				continue
			}
			d, tile := data[r][c], tiles.At(dc, c, r)
			title := fitText(titleSty, titles[r][c], tile.Max.X-tile.Min.X)
			half := titleSty.Width(title) / 2
			x := min(max((d.Min.X+d.Max.X)/2, tile.Min.X+half), tile.Max.X-half) // centred over the data, kept in the tile
			dc.FillText(titleSty, vg.Point{X: x, Y: titleTop[r]}, title)
		}
	}
	return data
}

// abs returns the absolute value of a length.
func abs(l vg.Length) vg.Length { return max(l, -l) }

// linearTicks labels a linear axis at a round step (1, 2, 2.5 or 5 times a
// power of ten) that gives four to seven labels, with a minor tick between
// each two, each label in the unit of its size (see siNum): 0 2k 4k 6k 8k,
// 0 500k 1M 1.5M, never 8000 beside 16k or 1500k.
func linearTicks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	raw := (max - min) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var vals []float64
	for v := math.Ceil(min/step-1e-9) * step; v <= max+step*1e-9; v += step {
		if v = roundSig(v); v == 0 {
			v = 0 // not -0
		}
		vals = append(vals, v)
	}
	var ticks []plot.Tick
	for i, v := range vals {
		ticks = append(ticks, plot.Tick{Value: v, Label: siNum(v)})
		if half := roundSig(v + step/2); i < len(vals)-1 || half <= max {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}

// siNum writes a tick value with the SI suffix of its size, as every
// linear axis of nowait labels its ticks: 750, 1k, 1.25k, 100k, 1.5M.
func siNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(roundSig(v/1e6), 'f', -1, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(roundSig(v/1e3), 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
