package cmd

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// tableRows returns the compare table printed on stdout: its header's
// fields and each row's fields, in order.
func tableRows(t *testing.T, stdout string) (header []string, rows [][]string) {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 0 && f[0] == "mode":
			header = f
		case header != nil && len(f) > 0 && slices.Contains(modes, f[0]):
			rows = append(rows, f)
		}
	}
	if header == nil {
		t.Fatalf("no table:\n%s", stdout)
	}
	return header, rows
}

// TestCompareResumedColumn: over https the compare table ends with a
// resumed column, each cell's connects that resumed a TLS session, as
// its summary in compare.json has them (tls_resumed), in the closed and
// the hold table; over http the table has no such column.
func TestCompareResumedColumn(t *testing.T) {
	// The target closes each connection after its response: every
	// request makes a handshake, and all but the first few resume.
	tlsSrv := enginetest.StartTarget(t, target.Config{TLS: true, CloseAfter: 1})
	plain := enginetest.StartTarget(t, target.Config{})
	cases := []struct {
		name  string
		url   string
		extra []string
		https bool
	}{
		{"https", tlsSrv.URL(), []string{"-k"}, true},
		{"https_hold", tlsSrv.URL(), []string{"-k", "--model", "hold", "--every", "50ms"}, true},
		{"http", plain.URL(), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "cmp")
			args := append([]string{"compare", tc.url, "--modes", "async,sync,goroutine", "--connections", "2",
				"-d", "400ms", "--pause", "0s", "--out", out}, tc.extra...)
			stdout, stderr, code := runBin(t, args...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			r := readCompare(t, out)
			header, rows := tableRows(t, stdout)
			if got := header[len(header)-1] == "resumed"; got != tc.https {
				t.Fatalf("header %q: a resumed column %v, want %v", strings.Join(header, " "), got, tc.https)
			}
			if len(rows) != len(r.Cells) {
				t.Fatalf("%d rows for %d cells:\n%s", len(rows), len(r.Cells), stdout)
			}
			for i, c := range r.Cells {
				if c.Summary == nil || c.Error != "" {
					t.Fatalf("cell %s: %s", c.Mode, c.Error)
				}
				row, s := rows[i], c.Summary
				if row[0] != c.Mode {
					t.Errorf("row %d is %s, cell %d is %s", i, row[0], i, c.Mode)
				}
				if !tc.https {
					// The table ends as it did: threads, then errors.
					if n := len(row); row[n-2] != strconv.Itoa(s.Generator.PeakThreads) || row[n-1] != fmtCount(s.ErrorTotal) {
						t.Errorf("%s: row %q does not end with threads %d, errors %d", c.Mode, row, s.Generator.PeakThreads, s.ErrorTotal)
					}
					continue
				}
				t.Logf("%s: connects %d, resumed %d; row %q", c.Mode, s.Connects, s.TLSResumed, row)
				if want := fmtCount(s.TLSResumed); row[len(row)-1] != want {
					t.Errorf("%s: resumed column %q, compare.json says %s", c.Mode, row[len(row)-1], want)
				}
				if s.Connects < 4 || s.TLSResumed == 0 {
					t.Errorf("%s: connects %d, resumed %d; want connects again and again, resuming", c.Mode, s.Connects, s.TLSResumed)
				}
			}
		})
	}
}
