package cmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
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
		return usageErr("%s need about %s open files, but this process may open only %s; raise the limit (ulimit -n %d, or LimitNOFILE in a systemd unit) or ask for at most %s",
			stats.Count(conns, "connection"), fmtCount(need), fmtCount(limit), need, stats.Count(int(limit)-extra-fdReserve, "connection"))
	}
	return nil
}

// portRangeFile holds the kernel's ephemeral port range, "low high".
const portRangeFile = "/proc/sys/net/ipv4/ip_local_port_range"

// ephemeralPorts returns how many ephemeral ports the kernel hands out,
// and the range as text; 0 when it cannot be read.
func ephemeralPorts() (int, string) {
	b, err := os.ReadFile(portRangeFile)
	if err != nil {
		return 0, ""
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, ""
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || hi < lo {
		return 0, ""
	}
	return hi - lo + 1, f[0] + "-" + f[1]
}

// checkPortRange fails before a run starts when the plan's connections
// cannot each get an ephemeral port: a source address bound before
// connect takes a port of its own for each connection, and without one
// the kernel needs a distinct port per target address.
func checkPortRange(plan *engine.Plan) error {
	ports, span := ephemeralPorts()
	if ports == 0 {
		return nil // not Linux, or no procfs: the connects will say
	}
	capacity := ports * max(len(plan.Addrs), 1)
	from := "one source address"
	if n := len(plan.SourceAddrs); n > 0 {
		capacity = ports * n
		from = fmtCount(uint64(n)) + " source addresses"
		if n == 1 {
			from = "one source address"
		}
	}
	if plan.Connections <= capacity {
		return nil
	}
	return usageErr("%s need more ephemeral ports than %s can have (%s ports in %s: net.ipv4.ip_local_port_range %s); spread them over more local addresses with --source-ips 127.0.0.2-127.0.0.9, or widen the range with sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"",
		stats.Count(plan.Connections, "connection"), from, fmtCount(uint64(ports)), portRangeFile, span)
}
