//go:build linux

package reactor

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

func TestParseKinds(t *testing.T) {
	tests := []struct {
		name string
		fn   func(error) stats.ErrorKind
		err  error
		want stats.ErrorKind
	}{
		{"parse", parseKind, fmt.Errorf("x: %w", wire.ErrHeaderTooLarge), stats.ErrHeaderTooLarge},
		{"parse", parseKind, wire.ErrBadResponse, stats.ErrBadResponse},
		{"parse", parseKind, errors.New("other"), stats.ErrBadResponse},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.err); got != tt.want {
			t.Errorf("%s(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
