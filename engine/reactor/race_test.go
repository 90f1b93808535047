//go:build race

package reactor

// raceEnabled: the race detector multiplies memory, so RSS bars are off.
const raceEnabled = true
