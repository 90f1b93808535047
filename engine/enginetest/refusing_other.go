//go:build !linux

package enginetest

import (
	"net"
	"testing"
)

// RefusingAddr returns a loopback address nothing listens on: a listener's
// port, closed at once (another server may be given it later; the Linux
// version holds the port).
func RefusingAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
