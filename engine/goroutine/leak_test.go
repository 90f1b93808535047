package goroutine

import (
	"runtime"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// TestNoGoroutineLeft checks that every model's run leaves no goroutine
// behind once its target is closed: fasthttp's idle cleaners go within
// their idle limit (500 ms here), the holders, the ramp and the interval
// ticker at once.
func TestNoGoroutineLeft(t *testing.T) {
	models := []struct {
		name string
		plan func(p *engine.Plan)
	}{
		{"open", func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 1000 }},
		{"ramp", func(p *engine.Plan) {
			p.Stages = []engine.Stage{{Duration: 200 * time.Millisecond, Target: 8}, {Duration: 200 * time.Millisecond, Target: 1}}
		}},
		{"pipeline_ramp", func(p *engine.Plan) {
			p.Pipeline = 4
			p.Stages = []engine.Stage{{Duration: 200 * time.Millisecond, Target: 8}, {Duration: 200 * time.Millisecond, Target: 1}}
		}},
		{"hold", func(p *engine.Plan) { p.Model, p.HoldEvery, p.ConnectRate = engine.ModelHold, 50*time.Millisecond, 100 }},
	}
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			srv, err := target.Start("127.0.0.1:0", target.Config{})
			if err != nil {
				t.Fatal(err)
			}
			p := enginetest.Plan(srv.Addr())
			p.Connections, p.Duration = 8, 400*time.Millisecond
			m.plan(p)
			res := execute(t, p)
			srv.Close()
			deadline := time.Now().Add(2 * time.Second)
			n := runtime.NumGoroutine()
			for n > before && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
				n = runtime.NumGoroutine()
			}
			t.Logf("responses %d; goroutines %d -> %d", res.Responses, before, n)
			if n > before || res.Responses == 0 {
				buf := make([]byte, 1<<20)
				t.Fatalf("goroutines %d -> %d after 2 s (responses %d)\n%s", before, n, res.Responses, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}
