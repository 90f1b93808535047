package stats

import "encoding/json"

// MarshalJSON writes l as summary.json keeps it. A histogram that recorded
// nothing (no response arrived) has no minimum, mean or percentile: its
// numbers are null, not 0, so that a reader cannot take "nothing was
// measured" for "everything took 0 ms" (count says 0). The percentile keys
// stay, each null. Reading such a Latency back gives zeros with count 0,
// as Summarize makes it. A Latency with a number in it is written as it
// is, whatever its count.
func (l Latency) MarshalJSON() ([]byte, error) {
	type plain Latency // without the method, to marshal the fields
	if !l.empty() {
		return json.Marshal(plain(l))
	}
	var none map[string]*float64
	if l.Percentiles != nil {
		none = make(map[string]*float64, len(l.Percentiles))
		for k := range l.Percentiles {
			none[k] = nil
		}
	}
	return json.Marshal(struct {
		Count       int64               `json:"count"`
		MinMs       *float64            `json:"min_ms"`
		MeanMs      *float64            `json:"mean_ms"`
		StdevMs     *float64            `json:"stdev_ms"`
		MaxMs       *float64            `json:"max_ms"`
		Percentiles map[string]*float64 `json:"percentiles_ms"`
	}{Count: l.Count, Percentiles: none})
}

// empty reports whether l holds nothing measured: no count and no number.
func (l Latency) empty() bool {
	if l.Count != 0 || l.MinMs != 0 || l.MeanMs != 0 || l.StdevMs != 0 || l.MaxMs != 0 {
		return false
	}
	for _, v := range l.Percentiles {
		if v != 0 {
			return false
		}
	}
	return true
}
