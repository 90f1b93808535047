package goroutine

import "errors"

// errStopped is what the dialer returns once the run is stopping, so that
// no connection is opened that the stopper would not see.
var errStopped = errors.New("goroutine: run stopped")

// errResend is what a pipelined request gets when a response before it
// said Connection: close: the server never processed it, and the worker
// sends it again on the next connection.
var errResend = errors.New("goroutine: connection closed before the request was processed; send it again")

// errUnsolicited ends a pipelined connection whose server sent bytes with
// no request waiting for them.
var errUnsolicited = errors.New("goroutine: response bytes with no request waiting")

// errBackingOff is what a pipelined request gets when its slot has no
// connection and may not connect yet (engine.Retry): it is not sent.
var errBackingOff = errors.New("goroutine: connect backoff")
