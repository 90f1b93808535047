package threaded

import (
	"runtime"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// noiseProbe measures how late this machine wakes a sleeping thread while
// a test runs: a locked thread sleeps 2 ms in ppoll, over and over, and
// notes how late each wake-up was. On a machine shared with other test
// runs that lateness alone can exceed the saturation verdict's 10 ms send
// lag; tests that assert timing read it to tell the two apart.
//
// Threads woken late come back to a Go runtime whose few Ps may all be
// held by threads blocked in syscalls until sysmon retakes one (up to
// 10 ms once sysmon has backed off), so the engine's send lag is several
// times the probe's (measured: probe 4.3 ms, send lag p99 23 ms under
// -race on a loaded 2-CPU machine; probe 0.9 ms, send lag 3.5 ms when
// quiet). Beyond probeLimit, timing assertions skip rather than fail.
type noiseProbe struct {
	stop chan struct{}
	done chan time.Duration
}

// probeLimit is the probe's p99 lateness above which the machine is too
// loaded for the timing assertions.
const probeLimit = 2 * time.Millisecond

func startNoiseProbe() *noiseProbe {
	p := &noiseProbe{stop: make(chan struct{}), done: make(chan time.Duration, 1)}
	go func() { // owned by the probe: ends on p99
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var late []time.Duration
		for {
			select {
			case <-p.stop:
				slices.Sort(late)
				var p99 time.Duration
				if len(late) > 0 {
					p99 = late[len(late)*99/100]
				}
				p.done <- p99
				return
			default:
			}
			start := time.Now()
			ts := unix.NsecToTimespec(int64(2 * time.Millisecond))
			_, _ = unix.Ppoll(nil, &ts, nil) // EINTR only shortens the sleep
			late = append(late, time.Since(start)-2*time.Millisecond)
		}
	}()
	return p
}

// p99 stops the probe and returns the 99th percentile of its lateness.
func (p *noiseProbe) p99() time.Duration {
	close(p.stop)
	return <-p.done
}
