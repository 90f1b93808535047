package stats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// rateRamp is -R 100 --stages 2s:500,2s:0 as cmd keeps it.
var rateRamp = []RampPoint{{0, 100}, {2, 500}, {4, 0}}

// A run's ramp is saved in summary.json and read back as it was; a
// directory without one (written before ramps were kept, or by a run
// without stages) still loads, with no ramp.
func TestRampRoundTripsThroughResultDir(t *testing.T) {
	res := synthResult(11, 4, 1000)
	res.Ramp = rateRamp
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Schema int         `json:"schema_version"`
		Ramp   []RampPoint `json:"ramp"`
	}
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err == nil {
		err = json.Unmarshal(b, &raw)
	}
	if err != nil || raw.Schema != 1 || !reflect.DeepEqual(raw.Ramp, rateRamp) {
		t.Fatalf("summary.json: %v, schema %d, ramp %v; want schema 1 and %v", err, raw.Schema, raw.Ramp, rateRamp)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Ramp, rateRamp) {
		t.Fatalf("ramp read back %v, want %v", got.Ramp, rateRamp)
	}

	old := t.TempDir()
	if err := WriteDir(old, synthResult(12, 3, 1000)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(old, SummaryFile)); json.Valid(b) && containsKey(t, b, "ramp") {
		t.Fatal("a run without stages wrote a ramp")
	}
	got, err = ReadDir(old)
	if err != nil || got.Ramp != nil {
		t.Fatalf("a directory without a ramp: %v, ramp %v", err, got.Ramp)
	}
}

func containsKey(t *testing.T, b []byte, key string) bool {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	_, ok := m[key]
	return ok
}

// Merged runs ran side by side: their planned rates add, each moved by the
// whole seconds its intervals are moved, and a run without stages adds its
// constant rate over its length.
func TestMergeAddsRamps(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	ramped := func(start time.Time) *Result {
		r := runAt(start, 4, 10)
		r.Model, r.RatePerSec, r.Ramp = "open", 100, rateRamp
		return r
	}
	for _, tc := range []struct {
		name string
		a, b *Result
		want []RampPoint
	}{
		{"same start", ramped(t0), ramped(t0), []RampPoint{{0, 200}, {2, 1000}, {4, 0}}},
		// b starts 1 s later: 0 to 1 s a alone, then b steps in at 100 req/s.
		{"one second apart", ramped(t0), ramped(t0.Add(time.Second)),
			[]RampPoint{{0, 100}, {1, 300}, {1, 400}, {2, 800}, {3, 750}, {4, 250}, {5, 0}}},
		{"later one merged into the earlier", ramped(t0.Add(time.Second)), ramped(t0),
			[]RampPoint{{0, 100}, {1, 300}, {1, 400}, {2, 800}, {3, 750}, {4, 250}, {5, 0}}},
		// A constant 50 req/s for 4 s beside the ramp.
		{"a run without stages", ramped(t0), func() *Result {
			r := runAt(t0, 4, 10)
			r.Model, r.RatePerSec = "open", 50
			return r
		}(), []RampPoint{{0, 150}, {2, 550}, {4, 50}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.Merge(tc.b)
			if !reflect.DeepEqual(tc.a.Ramp, tc.want) {
				t.Fatalf("merged ramp %v, want %v", tc.a.Ramp, tc.want)
			}
		})
	}
	a, b := runAt(t0, 2, 10), runAt(t0, 2, 10)
	if a.Merge(b); a.Ramp != nil {
		t.Fatalf("runs without stages merged into a ramp %v", a.Ramp)
	}
}

func TestRampText(t *testing.T) {
	for _, tc := range []struct {
		ramp []RampPoint
		text string
		len  time.Duration
	}{
		{rateRamp, "100 → 500 → 0", 4 * time.Second},
		{[]RampPoint{{0, 10}, {10, 400}, {20, 400}, {30, 0}}, "10 → 400 → 0", 30 * time.Second},
		{[]RampPoint{{0, 0}, {1.5, 2500.5}}, "0 → 2500.5", 1500 * time.Millisecond},
		{[]RampPoint{{0, 5000}, {60, 5000}}, "5,000", time.Minute},
		{nil, "", 0},
	} {
		if got := RampText(tc.ramp); got != tc.text {
			t.Errorf("RampText(%v) = %q, want %q", tc.ramp, got, tc.text)
		}
		if got := RampLength(tc.ramp); got != tc.len {
			t.Errorf("RampLength(%v) = %v, want %v", tc.ramp, got, tc.len)
		}
	}
}
