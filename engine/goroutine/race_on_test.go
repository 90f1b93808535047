//go:build race

package goroutine

// raceOn reports whether the tests run under the race detector, which
// makes every request cost several times the CPU.
const raceOn = true
