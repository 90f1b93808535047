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

func TestBackoff(t *testing.T) {
	want := []int64{10e6, 10e6, 20e6, 40e6, 80e6, 160e6, 320e6, 640e6, 1e9, 1e9}
	for n, w := range want {
		if got := backoffNs(int32(n)); got != w {
			t.Errorf("backoffNs(%d) = %d, want %d", n, got, w)
		}
	}
}
