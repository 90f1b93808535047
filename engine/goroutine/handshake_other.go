//go:build !linux

package goroutine

import "net"

// handshakeNs returns wallNs, the connect call to the dialer's return:
// only Linux's TCP_INFO tells the handshake's own time (see
// handshake_linux.go).
func handshakeNs(_ net.Conn, wallNs int64) int64 { return wallNs }
