package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A compare.json given as a baseline is named as such, not as a summary
// without responses.
func TestBaselineThatIsACompareReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compare.json")
	doc := `{"schema_version": 1, "target": "http://127.0.0.1:1/", "cells": [{"mode": "async", "connections": 10}]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadSummary(path)
	if !errors.Is(err, ErrBaseline) || !strings.Contains(err.Error(), path+" is a compare.json (a table of modes), not a run's summary.json") {
		t.Fatalf("error %v", err)
	}
}
