//go:build !race

package target

import "time"

// raceEnabled: the race detector allows at most 8128 live goroutines,
// fewer than a target holding MaxConns connections runs.
const raceEnabled = false

// lateBound is how late a delayed response may be at the median
// (TestDelayIsOnTime): the race detector slows the handler down.
const lateBound = 400 * time.Microsecond
