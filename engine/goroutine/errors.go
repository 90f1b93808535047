package goroutine

import "errors"

// errStopped is what the dialer returns once the run is stopping, so that
// no connection is opened that the stopper would not see.
var errStopped = errors.New("goroutine: run stopped")
