package scenarios

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps DESIGN.md's direction: scenarios imports engine,
// engine/wire and stats of nowait's packages (and internal/errmsg, a leaf
// that imports nothing of ours), and nothing else of ours.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/nowait/nowait/scenarios":       true,
		"github.com/nowait/nowait/engine":          true,
		"github.com/nowait/nowait/engine/wire":     true,
		"github.com/nowait/nowait/stats":           true,
		"github.com/nowait/nowait/internal/errmsg": true,
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/nowait/nowait") && !allowed[p] {
			t.Errorf("scenarios depends on %s", p)
		}
	}
}
