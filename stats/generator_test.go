package stats

import (
	"runtime"
	"testing"
)

func TestMeterSeesMemoryTheRunAdds(t *testing.T) {
	m := StartMeter()
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1 // touch every page so it is resident
	}
	g := m.Stop()
	runtime.KeepAlive(buf)
	if added := g.PeakRSSBytes - g.StartRSSBytes; added < 60<<20 || added > 200<<20 {
		t.Errorf("peak %d - start %d = %d bytes, want about 64 MiB", g.PeakRSSBytes, g.StartRSSBytes, added)
	}
}
