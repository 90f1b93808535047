package stats

import (
	"io"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HgrmTicksPerHalfDistance is the resolution of the percentile
// distribution: reporting ticks per halving of the distance to 100%, as
// wrk2 and HdrHistogram print it.
const HgrmTicksPerHalfDistance = 5

// WriteHgrm writes h (microseconds) as HdrHistogram's percentile
// distribution text, in milliseconds: Value, Percentile, TotalCount and
// 1/(1-Percentile) columns, then the Mean, StdDeviation, Max, Total count,
// Buckets and SubBuckets footer. HdrHistogram's plotter reads it.
func WriteHgrm(w io.Writer, h *hdrhistogram.Histogram) error {
	if h == nil {
		h = NewHistogram()
	}
	_, err := h.PercentilesPrint(w, HgrmTicksPerHalfDistance, 1000)
	return err
}
