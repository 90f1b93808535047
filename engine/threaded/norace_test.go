//go:build !race

package threaded

// raceEnabled: the race detector slows the scheduler, and a thread per
// connection waits for a P after each sleep: timing bars are wider.
const raceEnabled = false
