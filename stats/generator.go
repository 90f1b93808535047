package stats

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Generator is what the load generator itself cost during a run.
type Generator struct {
	CPUUserSec     float64 `json:"cpu_user_s"`
	CPUSysSec      float64 `json:"cpu_sys_s"`
	StartRSSBytes  int64   `json:"start_rss_bytes"` // resident memory when the run began
	PeakRSSBytes   int64   `json:"peak_rss_bytes"`  // most resident memory during the run
	PeakThreads    int     `json:"peak_threads"`
	PeakGoroutines int     `json:"peak_goroutines"`
}

// CPUSec returns user plus system CPU seconds.
func (g Generator) CPUSec() float64 { return g.CPUUserSec + g.CPUSysSec }

// Add sums another generator's cost into g (several machines' runs).
func (g *Generator) Add(o Generator) {
	g.CPUUserSec += o.CPUUserSec
	g.CPUSysSec += o.CPUSysSec
	g.StartRSSBytes += o.StartRSSBytes
	g.PeakRSSBytes += o.PeakRSSBytes
	g.PeakThreads += o.PeakThreads
	g.PeakGoroutines += o.PeakGoroutines
}

// Meter measures the generator's own CPU time, peak RSS, threads and
// goroutines between Start and Stop, sampling the peaks every meterPeriod.
type Meter struct {
	startRU  syscall.Rusage
	startRSS int64
	hwmReset bool // the kernel's peak-RSS mark was reset at Start
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu             sync.Mutex // guards the peaks between the sampler and Stop
	peakThreads    int
	peakGoroutines int
}

// meterPeriod is how often the meter samples its peaks. Each sample reads
// /proc/self/status and wakes a thread on the generator's cores; at 50 ms
// that was 0.9% of a pipelining loop's CPU. Stop samples once more.
const meterPeriod = 250 * time.Millisecond

// StartMeter begins measuring. Stop must be called to end the sampler.
func StartMeter() *Meter {
	m := &Meter{}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &m.startRU) // cannot fail for RUSAGE_SELF
	m.startRSS = procStatus("VmRSS:") * 1024
	// Writing 5 to clear_refs resets VmHWM to the current RSS, so the peak
	// read at Stop is this run's, not the process's (earlier runs, tests).
	m.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.sample()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(meterPeriod)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m
}

// Sample takes a reading of the peaks now; engines call it at moments of
// peak load (all connections open) so short runs are not missed.
func (m *Meter) Sample() { m.sample() }

func (m *Meter) sample() {
	th := ThreadCount()
	g := runtime.NumGoroutine()
	m.mu.Lock()
	if th > m.peakThreads {
		m.peakThreads = th
	}
	if g > m.peakGoroutines {
		m.peakGoroutines = g
	}
	m.mu.Unlock()
}

// Stop ends the measurement and returns the cost since Start.
func (m *Meter) Stop() Generator {
	m.sample()
	m.cancel()
	m.wg.Wait()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	peak := ru.Maxrss * 1024 // Linux reports KiB
	if hwm := procStatus("VmHWM:") * 1024; m.hwmReset && hwm > 0 {
		peak = hwm
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return Generator{
		CPUUserSec:     tv(ru.Utime) - tv(m.startRU.Utime),
		CPUSysSec:      tv(ru.Stime) - tv(m.startRU.Stime),
		StartRSSBytes:  m.startRSS,
		PeakRSSBytes:   peak,
		PeakThreads:    m.peakThreads,
		PeakGoroutines: m.peakGoroutines,
	}
}

// ThreadCount returns the number of OS threads of this process, read from
// /proc/self/status, or 0 when it cannot be read.
func ThreadCount() int { return int(procStatus("Threads:")) }

// RSSBytes returns this process's resident memory now, read from
// /proc/self/status, or 0 when it cannot be read.
func RSSBytes() int64 { return procStatus("VmRSS:") * 1024 }

// procStatus returns the number after key in /proc/self/status (kB for
// memory), or 0 when it cannot be read.
func procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
