package cmd

import (
	"strings"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/goroutine"
	"github.com/nowait/nowait/engine/reactor"
	"github.com/nowait/nowait/engine/threaded"
)

// modes are the I/O modes, in the order they are listed to users.
var modes = []string{"async", "sync", "goroutine"}

// newEngine returns the engine for a mode: the one switch over modes.
func newEngine(mode string) (engine.Engine, error) {
	switch mode {
	case "", "async":
		return reactor.New(), nil
	case "sync":
		return threaded.New(), nil
	case "goroutine":
		return goroutine.New(), nil
	}
	return nil, usageErr("unknown mode %q; want one of %s", mode, strings.Join(modes, ", "))
}
