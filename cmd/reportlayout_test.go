package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// labelLine is a labelled line of the text report: two spaces, a label
// that begins with a capital, the padding, and the value.
var labelLine = regexp.MustCompile(`^  ([A-Z][A-Za-z]*(?: [a-z]+)*)(\s{2,})\S`)

// checkOneValueColumn checks that every labelled line of a text report
// starts its value in the same column as the others.
func checkOneValueColumn(t *testing.T, report string) {
	t.Helper()
	col := map[int][]string{}
	for _, line := range strings.Split(report, "\n") {
		m := labelLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		at := 2 + len(m[1]) + len(m[2])
		col[at] = append(col[at], m[1])
	}
	if len(col) != 1 {
		t.Errorf("the labels' values start in %d columns, want one: %v\n%s", len(col), col, report)
	}
}

// statusBlock returns the Status codes value of a text report, its
// continuation lines included, one string per line.
func statusBlock(t *testing.T, report string) []string {
	t.Helper()
	lines := strings.Split(report, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "  Status codes") {
			continue
		}
		block := []string{line}
		for _, next := range lines[i+1:] {
			if !regexp.MustCompile(`^\s{14,}\d{3} × `).MatchString(next) {
				break
			}
			block = append(block, next)
		}
		return block
	}
	t.Fatalf("no Status codes line in\n%s", report)
	return nil
}

// TestReportColumnsAndStatusCodes runs a mix of 16 status codes, one of
// them answered thousands of times, and reads the text report as a user
// pasting it would: every label's value starts in one column, run and
// hold alike; the Status codes list reads back to the counts of
// summary.json without guessing which comma separates the thousands;
// and it wraps, each line at most 80 characters.
func TestReportColumnsAndStatusCodes(t *testing.T) {
	srv, err := target.Start("127.0.0.1:0", target.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	codes := []int{200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504}
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "target: %s\nload: {connections: 4, requests: 3000}\nrequests:\n", srv.URL())
	for _, c := range codes {
		weight := 1
		if c == 200 {
			weight = 40 // about 2,200 of the 3,000: a count with a thousands separator
		}
		fmt.Fprintf(&yaml, "  - {path: /status/%d, weight: %d}\n", c, weight)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "codes.yaml")
	if err := os.WriteFile(path, []byte(yaml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	stdout, stderr, code := runBin(t, "run", path, "-o", out)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	checkOneValueColumn(t, stdout)

	b, err := os.ReadFile(filepath.Join(out, stats.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var sum stats.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Status["200"] < 1000 || len(sum.Status) != len(codes) {
		t.Fatalf("status %v; want all %d codes, 200 a thousand times or more", sum.Status, len(codes))
	}
	block := statusBlock(t, stdout)
	if len(block) < 2 {
		t.Errorf("the Status codes of %d codes are on %d line; want them wrapped:\n%s", len(codes), len(block), strings.Join(block, "\n"))
	}
	read := map[string]uint64{}
	item := regexp.MustCompile(`^(\d{3}) × (\d{1,3}(?:,\d{3})*)$`)
	for i, line := range block {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("Status codes line %d is %d characters, want 80 at most: %q", i+1, n, line)
		}
		value := strings.TrimSpace(strings.TrimPrefix(line, "  Status codes"))
		for _, it := range strings.Split(strings.TrimSuffix(value, ","), ", ") {
			m := item.FindStringSubmatch(it)
			if m == nil {
				t.Fatalf("status item %q of line %q is not CODE × COUNT", it, line)
			}
			n, err := strconv.ParseUint(strings.ReplaceAll(m[2], ",", ""), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			read[m[1]] = n
		}
	}
	if fmt.Sprint(read) != fmt.Sprint(sum.Status) {
		t.Errorf("the Status codes lines read back as %v; summary.json has %v", read, sum.Status)
	}

	hold, stderr, code := runBin(t, "hold", srv.URL(), "-c", "3", "-d", "400ms", "--every", "100ms")
	if code != ExitOK {
		t.Fatalf("hold: exit %d\nstdout: %s\nstderr: %s", code, hold, stderr)
	}
	checkOneValueColumn(t, hold)
}
