package stats

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestMeterSeesMemoryTheRunAdds(t *testing.T) {
	debug.FreeOSMemory() // the heap earlier tests freed must not take the 64 MiB unseen
	m := StartMeter()
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1 // touch every page so it is resident
	}
	g := m.Stop()
	runtime.KeepAlive(buf)
	// Memory resident at the start can be given back meanwhile (Go's
	// scavenger, other tests' garbage): a full-suite run measured 59.7 MiB
	// added. Half of the 64 MiB still shows that the meter saw them.
	if added := g.PeakRSSBytes - g.StartRSSBytes; added < 32<<20 || added > 200<<20 {
		t.Errorf("peak %d - start %d = %d bytes, want about 64 MiB", g.PeakRSSBytes, g.StartRSSBytes, added)
	}
}
