package threaded

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/stats"
)

// threadCostBytes is what one connection's thread costs in memory, roughly:
// the runtime's g0 and signal stacks and M, the goroutine stack, the
// kernel's task and stack, and the connection's buffers.
const threadCostBytes = 160 << 10

// limit is one ceiling on the threads this process can still create.
type limit struct {
	name string // what sets it, as a user would raise it
	free int    // threads it still allows
}

// threadsAvailable checks, before any thread is started, that the OS will
// let the process create need more threads. The Go runtime cannot survive
// a refused thread ("runtime: failed to create new OS thread" kills the
// process), so the run must not start unless every known limit allows it.
func threadsAvailable(need int) error {
	var tight *limit
	ls := threadLimits()
	for i := range ls {
		if tight == nil || ls[i].free < tight.free {
			tight = &ls[i]
		}
	}
	if tight != nil && tight.free < need {
		g := func(n int) string { return stats.GroupDigits(int64(n)) }
		return fmt.Errorf("%w: %s connections need %s threads (one each, and %d for the Go runtime), but %s leaves room for %s connections; lower -c or raise that limit",
			ErrThreadLimit, g(need-threadMargin), g(need), threadMargin, tight.name, g(max(tight.free-threadMargin, 0)))
	}
	return nil
}

// threadLimits reads the limits that apply on Linux: RLIMIT_NPROC (not for
// root), kernel.threads-max, kernel.pid_max, the cgroup's pids.max, and the
// memory the threads' stacks need. Limits that cannot be read are skipped.
func threadLimits() []limit {
	var ls []limit
	total, haveTotal := systemThreads()
	if haveTotal {
		if n, ok := readInt("/proc/sys/kernel/threads-max"); ok {
			ls = append(ls, limit{"kernel.threads-max (" + stats.GroupDigits(n) + " threads system-wide)", int(n) - total})
		}
		if n, ok := readInt("/proc/sys/kernel/pid_max"); ok {
			ls = append(ls, limit{"kernel.pid_max (" + stats.GroupDigits(n) + " thread ids system-wide)", int(n) - total})
		}
	}
	var rl unix.Rlimit
	if os.Geteuid() != 0 && unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
		used := userThreads(os.Getuid())
		ls = append(ls, limit{"ulimit -u (" + stats.GroupDigits(int64(min(rl.Cur, math.MaxInt64))) + " threads for this user)", int(min(rl.Cur, math.MaxInt32)) - used})
	}
	if max, cur, ok := cgroupPids(); ok {
		ls = append(ls, limit{"the cgroup's pids.max (" + stats.GroupDigits(max) + ")", int(max - cur)})
	}
	if avail, ok := memAvailable(); ok {
		ls = append(ls, limit{fmt.Sprintf("the available memory (%s MiB at about %d KiB a thread)", stats.GroupDigits(int64(avail>>20)), threadCostBytes>>10),
			int(avail / threadCostBytes)})
	}
	return ls
}

// systemThreads returns the number of threads on the system, from the
// fourth field of /proc/loadavg ("running/total").
func systemThreads() (int, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 4 {
		return 0, false
	}
	_, tot, ok := strings.Cut(f[3], "/")
	n, err := strconv.Atoi(tot)
	return n, ok && err == nil
}

// userThreads counts the threads of processes owned by uid.
func userThreads(uid int) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*/status")
	n := 0
	want := strconv.Itoa(uid)
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			continue // the process ended
		}
		var mine bool
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				fs := strings.Fields(v)
				mine = len(fs) > 0 && fs[0] == want
			}
			if v, ok := strings.CutPrefix(line, "Threads:"); ok && mine {
				t, _ := strconv.Atoi(strings.TrimSpace(v))
				n += t
			}
		}
		f.Close()
	}
	return n
}

// cgroupPids returns the pids.max and pids.current of the process's
// cgroup (v2, or the v1 pids controller), when it has a limit.
func cgroupPids() (limit, cur int64, ok bool) {
	for _, dir := range cgroupDirs("pids") {
		b, err := os.ReadFile(filepath.Join(dir, "pids.max"))
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, 0, false
		}
		limit, err1 := strconv.ParseInt(s, 10, 64)
		cur, ok2 := readInt(filepath.Join(dir, "pids.current"))
		return limit, cur, err1 == nil && ok2
	}
	return 0, 0, false
}

// memAvailable returns the memory the process can still use: the smaller
// of MemAvailable and what its cgroup's limit leaves.
func memAvailable() (int64, bool) {
	avail, ok := meminfo("MemAvailable:")
	for _, dir := range cgroupDirs("memory") {
		lim, ok1 := readInt(filepath.Join(dir, "memory.max"))
		cur, ok2 := readInt(filepath.Join(dir, "memory.current"))
		if !ok1 {
			lim, ok1 = readInt(filepath.Join(dir, "memory.limit_in_bytes"))
			cur, ok2 = readInt(filepath.Join(dir, "memory.usage_in_bytes"))
		}
		if !ok1 || !ok2 {
			continue
		}
		if lim < 1<<60 && (!ok || lim-cur < avail) {
			avail, ok = lim-cur, true
		}
		break
	}
	return avail, ok
}

// cgroupDirs returns the directories that may hold the process's cgroup
// files for a controller, v2 first.
func cgroupDirs(controller string) []string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	var dirs []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			dirs = append(dirs, filepath.Join("/sys/fs/cgroup", parts[2]))
		case parts[1] == controller:
			dirs = append(dirs, filepath.Join("/sys/fs/cgroup", controller, parts[2]))
		}
	}
	return dirs
}

func meminfo(key string) (int64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func readInt(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}
