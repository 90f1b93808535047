package cmd

import (
	"os/exec"
	"runtime"
)

// childProcess is a child process of this binary (the built-in target of
// demo and compare, or one compare cell). It runs in a process group of
// its own, so a Ctrl-C at the terminal, which signals the whole
// foreground group, reaches only nowait itself: nowait then stops its
// children in its own time (the target after the client has finished, a
// cell by forwarding the interrupt). On Linux the child is also killed
// when nowait dies, however it dies (SIGKILL, SIGPIPE, SIGHUP), so it is
// never left behind.
type childProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the child has been waited for
	err  error         // Wait's result, set before done is closed
}

// startChild starts cmd as a childProcess.
//
// Why a thread of its own: the kernel sends the parent-death signal when
// the thread that forked the child ends, not the process, and nowait ends
// threads (sync mode locks one per connection and lets it die). The child
// is forked from a goroutine locked to its thread that waits for the
// child, so that thread outlives the child and is never reused.
func startChild(cmd *exec.Cmd) (*childProcess, error) {
	cmd.SysProcAttr = childProcAttr()
	c := &childProcess{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() { // owned by c: ends when the child has been waited for
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// wait waits for the child to exit and returns what cmd.Wait returned.
func (c *childProcess) wait() error {
	<-c.done
	return c.err
}

// kill stops the child at once and waits for it.
func (c *childProcess) kill() {
	_ = c.cmd.Process.Kill() // fails only when the child has exited already
	_ = c.wait()             // a killed child's exit status says nothing
}
