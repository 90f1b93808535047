package stats

import (
	"fmt"
	"strconv"
	"strings"
)

// GroupDigits formats n with thousands separators, the one way every
// printed and drawn count is written: 1234567 -> "1,234,567", -1500 ->
// "-1,500".
func GroupDigits(n int64) string { return group(strconv.FormatInt(n, 10)) }

// group puts thousands separators into the digits of s, an optional
// minus sign followed by digits.
func group(s string) string {
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// GroupFloat formats v with the given digits after the point (-1: as
// few as tell v exactly) and thousands separators in its whole part:
// 9163.04 with 1 -> "9,163.0".
func GroupFloat(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		return group(whole) + "." + frac
	}
	return group(whole)
}

// FormatMs formats a duration given in milliseconds, the one way every
// printed duration is written, to about three significant digits, always
// with a unit: 0 -> "0µs", 0.0421 -> "42µs", 2.5 -> "2.50ms", 882 ->
// "882.0ms", 2600 -> "2.60s".
func FormatMs(ms float64) string {
	switch {
	case ms == 0:
		return "0µs"
	case ms < 1:
		return fmt.Sprintf("%.0fµs", ms*1000)
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fs", ms/1000)
}

// Count says n of noun, in the plural unless n is 1, with thousands
// separators: "1 loop", "2,000 connections".
func Count[N int | int64 | uint64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return GroupDigits(int64(n)) + " " + noun + "s"
}

// Share formats n as a share of total, the one way a failed share is
// written: "20.07%", "<0.01%" for a share that is not 0 but would print
// as 0.00%, "0.00%" for none or no total.
func Share(n, total uint64) string {
	pct := 0.0
	if total > 0 {
		pct = float64(n) * 100 / float64(total)
	}
	if pct > 0 && pct < 0.01 {
		return "<0.01%"
	}
	return fmt.Sprintf("%.2f%%", pct)
}
