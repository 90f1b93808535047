package enginetest

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// RefusingAddr returns a loopback address that refuses every connect for
// the rest of the test: a TCP socket bound to it that never listens (a
// connect gets a reset, ECONNREFUSED) and holds the port, so that no other
// test's server can be given it meanwhile, as a listener closed at once
// could be (a test then found a server answering 400 on its "closed"
// port). The socket is closed when the test ends.
func RefusingAddr(tb testing.TB) string {
	tb.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*unix.SockaddrInet4).Port)
}
