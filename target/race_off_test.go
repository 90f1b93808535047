//go:build !race

package target

// raceEnabled: the race detector allows at most 8128 live goroutines,
// fewer than a target holding MaxConns connections runs.
const raceEnabled = false
