package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirections keeps the import directions of DESIGN.md:
// cmd -> scenarios -> engine -> stats, cmd -> plots -> stats, cmd -> target;
// engine never imports cmd, plots or its own subpackages; engine
// subpackages never import each other; stats imports nothing of ours
// but the leaf internal/errmsg, which imports nothing of ours.
func TestImportDirections(t *testing.T) {
	const mod = "github.com/nowait/nowait/"
	forbidden := map[string][]string{
		"stats":            {"cmd", "scenarios", "engine", "plots", "target"},
		"plots":            {"cmd", "scenarios", "engine", "target"},
		"engine":           {"cmd", "scenarios", "plots", "target", "engine/reactor", "engine/threaded", "engine/goroutine"},
		"engine/wire":      {"cmd", "scenarios", "plots", "target", "engine", "stats"},
		"engine/reactor":   {"cmd", "scenarios", "plots", "target", "engine/threaded", "engine/goroutine"},
		"engine/threaded":  {"cmd", "scenarios", "plots", "target", "engine/reactor", "engine/goroutine"},
		"engine/goroutine": {"cmd", "scenarios", "plots", "target", "engine/reactor", "engine/threaded"},
		"scenarios":        {"cmd", "plots", "target", "engine/reactor", "engine/threaded", "engine/goroutine"},
		"target":           {"cmd", "scenarios", "engine", "plots", "stats"},
		"internal/errmsg":  {"cmd", "scenarios", "engine", "plots", "stats", "target"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "no Go files") || strings.Contains(string(out), "directory not found") ||
				strings.Contains(string(out), "matched no packages") {
				continue // the package does not exist yet
			}
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for _, b := range bad {
			if deps[mod+b] {
				t.Errorf("%s imports %s, against the import directions of DESIGN.md", pkg, b)
			}
		}
	}
}
