package cmd

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// fdReserve is how many file descriptors a run needs besides one per
// connection: epoll and event fds, stdio, the Go runtime's own.
const fdReserve = 64

// raiseFileLimit raises the soft open-file limit to the hard limit and
// returns the limit now in force.
func raiseFileLimit() (uint64, error) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0, fmt.Errorf("reading the open-file limit: %w", err)
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			return 0, fmt.Errorf("raising the open-file limit to %d: %w", rl.Max, err)
		}
	}
	return rl.Cur, nil
}

// checkConnectionLimit fails before a run starts when conns connections
// (plus extra descriptors, such as an in-process target's) cannot fit under
// the open-file limit, and says how to raise it.
func checkConnectionLimit(conns, extra int) error {
	limit, err := raiseFileLimit()
	if err != nil {
		return runErr(err)
	}
	need := uint64(conns + extra + fdReserve)
	if need > limit {
		return usageErr("%d connections need about %d open files, but this process may open only %d; raise the limit (ulimit -n %d, or LimitNOFILE in a systemd unit) or ask for at most %d connections",
			conns, need, limit, need, int(limit)-extra-fdReserve)
	}
	return nil
}
