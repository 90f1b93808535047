package goroutine

import (
	"net"

	"golang.org/x/sys/unix"
)

// handshakeNs returns how long the TCP handshake of nc took, as the
// kernel measured it, or wallNs when the kernel cannot say.
//
// Go's dialer returns once the scheduler runs the dialing goroutine again,
// which in a storm of connects is long after the handshake completed (a
// thousand goroutines connecting at once read each connect as the storm's
// length). The kernel times the handshake itself: its first round-trip
// sample, from the SYN sent to the SYN-ACK received, initialises the
// smoothed RTT that TCP_INFO reports (tcpi_rtt, µs). That sample is taken
// only when no SYN was sent again; a retransmitted SYN (a full listen
// backlog, a lost packet) is timed from the connect call to the dialer's
// return, wallNs, which its second or more of retransmission timeout
// dwarfs the scheduler's wait in.
func handshakeNs(nc net.Conn, wallNs int64) int64 {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return wallNs
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return wallNs
	}
	var info *unix.TCPInfo
	ctlErr := raw.Control(func(fd uintptr) {
		info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	})
	if ctlErr != nil || err != nil || info.Total_retrans > 0 || info.Rtt == 0 {
		return wallNs
	}
	return min(int64(info.Rtt)*1000, wallNs)
}
