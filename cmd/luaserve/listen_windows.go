package main

import (
	"errors"
	"syscall"
)

// wsaeaddrinuse is Winsock's "address already in use"; package syscall
// names WSAEACCES but not this one. (syscall.EADDRINUSE on Windows is a
// number invented by Go that no socket call returns.)
const wsaeaddrinuse syscall.Errno = 10048

// listenHint explains listen's common failures, or returns "". Windows
// answers WSAEACCES (10013) not for low ports but for a port the system
// reserved (netsh int ipv4 show excludedportrange) or another program
// holds exclusively.
func listenHint(err error) string {
	switch {
	case errors.Is(err, wsaeaddrinuse):
		return addrInUseHint
	case errors.Is(err, syscall.WSAEACCES):
		return "access denied (the port is reserved or held exclusively by another program; try -addr with another port)"
	}
	return ""
}
