//go:build unix

package main

import (
	"errors"
	"syscall"
)

// listenHint explains listen's common failures, or returns "".
func listenHint(err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return addrInUseHint
	case errors.Is(err, syscall.EACCES):
		return "permission denied (ports below 1024 need privileges)"
	}
	return ""
}
