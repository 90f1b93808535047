package stats

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestNoResponseLatencyIsNull: a run that answered nothing writes its
// latency numbers as null, not 0, in summary.json (a gate reading
// percentiles_ms["99"] must not see a measured 0 ms); the keys stay; read
// back, the summary is the one Summarize made. A run with responses keeps
// its numbers.
func TestNoResponseLatencyIsNull(t *testing.T) {
	res := NewResult()
	res.Elapsed = time.Second
	res.Errors[ErrConnectRefused] = 10
	sum := Summarize(res)
	AddPercentiles(&sum, res, []float64{95})
	var buf bytes.Buffer
	if err := WriteSummary(&buf, sum); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	raw := map[string]map[string]any{}
	for _, k := range []string{"latency", "service_time", "connect_time", "send_lag"} {
		var m map[string]any
		if err := json.Unmarshal(doc[k], &m); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		raw[k] = m
	}
	for k, m := range raw {
		if m["count"] != 0.0 {
			t.Errorf("%s.count = %v, want 0", k, m["count"])
		}
		for _, f := range []string{"min_ms", "mean_ms", "stdev_ms", "max_ms"} {
			if v, ok := m[f]; !ok || v != nil {
				t.Errorf("%s.%s = %v (present %v), want null", k, f, v, ok)
			}
		}
		ps, _ := m["percentiles_ms"].(map[string]any)
		for _, p := range []string{"50", "75", "90", "99", "99.9", "99.99"} {
			if v, ok := ps[p]; !ok || v != nil {
				t.Errorf("%s.percentiles_ms[%q] = %v (present %v), want null", k, p, v, ok)
			}
		}
		if k != "send_lag" {
			if v, ok := ps["95"]; !ok || v != nil {
				t.Errorf("%s.percentiles_ms[\"95\"] = %v (present %v), want null", k, v, ok)
			}
		}
	}
	back, err := parseSummary("summary.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	back.Start = sum.Start
	if !reflect.DeepEqual(back, sum) {
		t.Errorf("read back:\n got %+v\nwant %+v", back, sum)
	}

	full := Summarize(synthResult(1, 2, 100))
	b, err := json.Marshal(full.Latency)
	if err != nil {
		t.Fatal(err)
	}
	var l Latency
	if err := json.Unmarshal(b, &l); err != nil || !reflect.DeepEqual(l, full.Latency) || l.Count == 0 {
		t.Errorf("a measured latency changed on the way: %s (%v)", b, err)
	}
	// A hand-made baseline without a count keeps the numbers it was given.
	if b, _ := json.Marshal(Latency{Percentiles: map[string]float64{"99": 100}}); !bytes.Contains(b, []byte(`"99":100`)) {
		t.Errorf("numbers given without a count were dropped: %s", b)
	}
}
