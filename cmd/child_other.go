//go:build !linux

package cmd

import "syscall"

// childProcAttr leaves the child as it is: process groups and the
// parent-death signal are set on Linux only.
func childProcAttr() *syscall.SysProcAttr { return nil }
