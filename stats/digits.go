package stats

import "strconv"

// GroupDigits formats n with thousands separators, the one way every
// printed and drawn count is written: 1234567 -> "1,234,567", -1500 ->
// "-1,500".
func GroupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
