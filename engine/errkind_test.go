package engine

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/nowait/nowait/stats"
)

func TestErrorKinds(t *testing.T) {
	wrapped := func(e error) error { return fmt.Errorf("dial: %w", os.NewSyscallError("connect", e)) }
	for _, tt := range []struct {
		name string
		got  stats.ErrorKind
		want stats.ErrorKind
	}{
		{"connect refused", ConnectKind(syscall.ECONNREFUSED), stats.ErrConnectRefused},
		{"connect refused, wrapped", ConnectKind(wrapped(syscall.ECONNREFUSED)), stats.ErrConnectRefused},
		{"connect timed out", ConnectKind(syscall.ETIMEDOUT), stats.ErrConnectTimeout},
		{"no address", ConnectKind(syscall.EADDRNOTAVAIL), stats.ErrAddrNotAvail},
		{"no fd", ConnectKind(syscall.EMFILE), stats.ErrTooManyFiles},
		{"no fd system-wide", ConnectKind(wrapped(syscall.ENFILE)), stats.ErrTooManyFiles},
		{"unreachable", ConnectKind(syscall.ENETUNREACH), stats.ErrConnect},
		{"read reset", IOKind(syscall.ECONNRESET, false), stats.ErrReset},
		{"read aborted", IOKind(syscall.ECONNABORTED, false), stats.ErrReset},
		{"read other", IOKind(syscall.EIO, false), stats.ErrRead},
		{"write broken pipe", IOKind(syscall.EPIPE, true), stats.ErrReset},
		{"write other", IOKind(syscall.ENOBUFS, true), stats.ErrWrite},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
