package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// titleStyle is the style of a chart's overall title.
func titleStyle() text.Style {
	return text.Style{Color: color.Black, Font: sans(titlePt, true), XAlign: draw.XCenter, YAlign: draw.YTop,
		Handler: plot.DefaultTextHandler}
}

// drawGrid draws a title across the top of dc and the plots of grid
// (rows of equal length) in tiles below it. The data areas of each column
// are lined up, and those of each row, so stacked panels share their x
// axis exactly.
func drawGrid(dc draw.Canvas, title string, grid [][]*plot.Plot) {
	if title != "" {
		sty := titleStyle()
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - vg.Points(6)}, title)
		dc = draw.Crop(dc, 0, 0, 0, -(sty.Height(title) + vg.Points(12)))
	}
	rows, cols := len(grid), len(grid[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(6), PadRight: vg.Points(14), PadX: vg.Points(24), PadY: vg.Points(14)}
	cs := make([][]draw.Canvas, rows)
	for r := range grid {
		cs[r] = make([]draw.Canvas, cols)
		for c := range grid[r] {
			cs[r][c] = tiles.At(dc, c, r)
		}
	}
	// margins returns how far the data area of plot (r, c) sits inside its tile.
	margins := func(r, c int) (left, right, bottom, top vg.Length) {
		t := cs[r][c]
		d := grid[r][c].DataCanvas(t)
		return d.Min.X - t.Min.X, t.Max.X - d.Max.X, d.Min.Y - t.Min.Y, t.Max.Y - d.Max.Y
	}
	for c := 0; c < cols; c++ {
		var maxL, maxR vg.Length
		for r := 0; r < rows; r++ {
			l, rt, _, _ := margins(r, c)
			maxL, maxR = max(maxL, l), max(maxR, rt)
		}
		for r := 0; r < rows; r++ {
			l, rt, _, _ := margins(r, c)
			cs[r][c] = draw.Crop(cs[r][c], maxL-l, -(maxR - rt), 0, 0)
		}
	}
	for r := 0; r < rows; r++ {
		var maxB, maxT vg.Length
		for c := 0; c < cols; c++ {
			_, _, b, t := margins(r, c)
			maxB, maxT = max(maxB, b), max(maxT, t)
		}
		for c := 0; c < cols; c++ {
			_, _, b, t := margins(r, c)
			cs[r][c] = draw.Crop(cs[r][c], 0, 0, maxB-b, -(maxT - t))
		}
	}
	for r := range grid {
		for c := range grid[r] {
			grid[r][c].Draw(cs[r][c])
		}
	}
}

// linearTicks are gonum's default ticks labelled plainly (250, 1.5, 120k).
func linearTicks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = formatNum(roundSig(ticks[i].Value))
		}
	}
	return ticks
}
