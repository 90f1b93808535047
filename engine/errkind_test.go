package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
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
		{"handshake past its deadline", HandshakeKind(fmt.Errorf("tls: %w", context.DeadlineExceeded)), stats.ErrConnectTimeout},
		{"handshake read timed out", HandshakeKind(&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}), stats.ErrConnectTimeout},
		{"handshake refused the certificate", HandshakeKind(&tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}), stats.ErrTLSHandshake},
		{"handshake reset", HandshakeKind(syscall.ECONNRESET), stats.ErrTLSHandshake},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	p := &Plan{Requests: []Request{{Host: "[::1]:8443"}}, InsecureSkipVerify: true}
	cfg := TLSConfig(nil, p)
	if cfg.ServerName != "::1" || !cfg.InsecureSkipVerify || cfg.MinVersion != tls.VersionTLS12 || len(cfg.NextProtos) != 1 || cfg.NextProtos[0] != "http/1.1" {
		t.Fatalf("server name %q, insecure %v, min version %x, ALPN %q", cfg.ServerName, cfg.InsecureSkipVerify, cfg.MinVersion, cfg.NextProtos)
	}
	base := &tls.Config{ServerName: "example.test"}
	p.InsecureSkipVerify = false
	if cfg := TLSConfig(base, p); cfg.ServerName != "example.test" || cfg.InsecureSkipVerify || cfg == base {
		t.Fatalf("from a base: server name %q, insecure %v, same config %v", cfg.ServerName, cfg.InsecureSkipVerify, cfg == base)
	}
}
