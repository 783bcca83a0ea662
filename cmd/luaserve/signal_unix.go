//go:build unix

package main

import (
	"os"
	"syscall"
)

// reloadSignal is the signal that reloads the script, and its name for
// messages: SIGHUP, as for nginx.
func reloadSignal() (os.Signal, string) { return syscall.SIGHUP, "SIGHUP" }
