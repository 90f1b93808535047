package stats

import "testing"

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500", -999: "-999"} {
		if got := GroupDigits(n); got != want {
			t.Errorf("GroupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGroupFloat(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{9163.04, 1, "9,163.0"}, {999.94, 1, "999.9"}, {999.96, 1, "1,000.0"}, {1234567.891, 2, "1,234,567.89"},
		{2886, 0, "2,886"}, {-1500.5, 1, "-1,500.5"}, {0.25, -1, "0.25"}, {100000, -1, "100,000"},
	} {
		if got := GroupFloat(tc.v, tc.decimals); got != tc.want {
			t.Errorf("GroupFloat(%v, %d) = %q, want %q", tc.v, tc.decimals, got, tc.want)
		}
	}
}
