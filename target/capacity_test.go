package target

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/internal/testchild"
)

// idleConns is how many idle connections the capacity test holds; each
// costs two fds in this process (client and server side).
const idleConns = 3000

// TestHoldsIdleConnections opens idleConns connections to one target,
// makes a request on each and keeps them open: the target must hold every
// one (OpenConns), accept without error, and still answer on each, the
// first connection as well as the last.
func TestHoldsIdleConnections(t *testing.T) {
	needFiles(t, 2*idleConns+256)
	s := start(t, Config{LowMemory: true})
	var ms0 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)

	conns := make([]net.Conn, idleConns)
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	t0 := time.Now()
	if err := forEach(conns, func(i int) error {
		c, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
		if err != nil {
			return err
		}
		conns[i] = c
		return roundTrip(c)
	}); err != nil {
		t.Fatalf("after %d connections: %v", s.OpenConns(), err)
	}
	opened := time.Since(t0)
	waitFor(t, func() bool { return s.OpenConns() == idleConns })

	var ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	t.Logf("%d connections opened and answered in %s; target holds %d; heap in use +%d KiB per connection, stacks +%d KiB per connection",
		idleConns, opened.Round(time.Millisecond), s.OpenConns(),
		(int64(ms1.HeapInuse)-int64(ms0.HeapInuse))/idleConns/1024,
		(int64(ms1.StackInuse)-int64(ms0.StackInuse))/idleConns/1024)

	// Idle for a moment, then every connection must still be served.
	time.Sleep(100 * time.Millisecond)
	if err := forEach(conns, func(i int) error { return roundTrip(conns[i]) }); err != nil {
		t.Fatalf("second round: %v", err)
	}
	st := s.Stats()
	if st.Accepted != idleConns || st.Served != 2*idleConns || st.AcceptErrs != 0 || st.ConnErrs != 0 {
		t.Fatalf("accepted %d, served %d, accept errors %d, connection errors %d; want %d, %d, 0, 0",
			st.Accepted, st.Served, st.AcceptErrs, st.ConnErrs, idleConns, 2*idleConns)
	}
	if n := s.OpenConns(); n != idleConns {
		t.Fatalf("target holds %d connections after the second round, want %d", n, idleConns)
	}
}

// roundTrip sends one keep-alive request on c and reads its response.
func roundTrip(c net.Conn) error {
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		return err
	}
	data, headLen, err := readResponse(c)
	if err != nil {
		return err
	}
	if st := statusOf(data[:headLen]); st != 200 {
		return fmt.Errorf("status %d: %q", st, data)
	}
	return nil
}

// forEach runs f(0..len(conns)-1) on a few goroutines and returns the
// first error.
func forEach(conns []net.Conn, f func(i int) error) error {
	const workers = 16
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(conns); i += workers {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// needFiles raises the soft open-file limit to n, or to the hard limit,
// and skips the test when the hard limit is below n.
func needFiles(t *testing.T, n uint64) {
	t.Helper()
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur >= n {
		return
	}
	if rl.Max < n {
		t.Skipf("needs %d open files; the hard limit is %d", n, rl.Max)
	}
	old := rl
	rl.Cur = n
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
}

// childEnv, when set, makes TestChildTarget serve a target for the
// process that started it.
const childEnv = "NOWAIT_TARGET_CHILD"

// TestHoldsMaxConns holds MaxConns connections to a target running in a
// child process (each process then needs only MaxConns fds), with one
// request answered on each, and checks that the target counts them all
// open. Not under -race, whose goroutine cap is below MaxConns.
func TestHoldsMaxConns(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("holds 15000 connections: not in -short or -race runs")
	}
	needFiles(t, MaxConns+256)
	stdin, child := testchild.Start(t, "TestChildTarget", childEnv, 20*time.Second)
	addr := testchild.Line(t, child, "addr ")

	conns := make([]net.Conn, MaxConns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	t0 := time.Now()
	err := forEach(conns, func(i int) error {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return err
		}
		conns[i] = c
		return roundTrip(c)
	})
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	opened := time.Since(t0)
	var open int
	for deadline := time.Now().Add(2 * time.Second); open < MaxConns && time.Now().Before(deadline); {
		if _, err := io.WriteString(stdin, "count\n"); err != nil {
			t.Fatal(err)
		}
		open, _ = strconv.Atoi(testchild.Line(t, child, "open "))
	}
	t.Logf("%d connections opened and answered in %s; the target holds %d", MaxConns, opened.Round(time.Millisecond), open)
	if open != MaxConns {
		t.Fatalf("the target holds %d connections, want %d", open, MaxConns)
	}
}

// TestChildTarget is the child of TestHoldsMaxConns: it serves a target,
// prints "addr ADDR", answers each "count" line on stdin with "open N",
// and closes the target at the end of stdin.
func TestChildTarget(t *testing.T) {
	if !testchild.Enabled(childEnv) {
		t.Skip("runs only as the child of TestHoldsMaxConns")
	}
	needFiles(t, MaxConns+256)
	s, err := Start("127.0.0.1:0", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fmt.Printf("addr %s\n", s.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "count" {
			fmt.Printf("open %d\n", s.OpenConns())
		}
	}
	if st := s.Stats(); st.AcceptErrs != 0 {
		t.Errorf("accept errors: %d", st.AcceptErrs)
	}
}
