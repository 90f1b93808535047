//go:build !linux

package reactor

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

func run(context.Context, *engine.Plan, *tls.Config) (*stats.Result, error) {
	return nil, fmt.Errorf("%w: the async mode needs Linux (epoll); use --mode goroutine", engine.ErrUnsupported)
}
