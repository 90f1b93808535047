package cmd

import "syscall"

// childProcAttr puts a child in a process group of its own and has the
// kernel kill it when nowait dies.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
