//go:build !linux

package target

import "time"

// delayer holds each delayed response until its due time, on Go's timers
// (to the millisecond when the process is idle; delayer_linux.go is
// precise).
type delayer struct {
	closing <-chan struct{}
}

// newDelayer returns a delayer that stops waiting when closing is closed.
func newDelayer(closing <-chan struct{}) (*delayer, error) {
	return &delayer{closing: closing}, nil
}

// sleep waits ns nanoseconds and reports false if the server closed first.
func (d *delayer) sleep(ns int64) bool {
	return sleepUntil(d.closing, time.Now().Add(time.Duration(ns)))
}

// close releases nothing: there is no goroutine to stop.
func (d *delayer) close() {}
