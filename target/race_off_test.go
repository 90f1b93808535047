//go:build !race

package target

import "time"

// raceEnabled: the race detector allows at most 8128 live goroutines,
// fewer than a target holding MaxConns connections runs.
const raceEnabled = false

// lateBound is how late a delayed response may be at the median
// (TestDelayIsOnTime), on a machine loaded by other packages' tests.
const lateBound = 1500 * time.Microsecond
