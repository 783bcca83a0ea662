package httpcore

import (
	"errors"
	"syscall"
)

// Winsock's numbers for the accept errors worth retrying: Go's
// syscall.EMFILE and the like are invented numbers on Windows, which
// accept never returns.
const (
	wsaEMFILE       = syscall.Errno(10024)
	wsaECONNABORTED = syscall.Errno(10053)
	wsaECONNRESET   = syscall.Errno(10054)
	wsaENOBUFS      = syscall.Errno(10055)
)

// isTemporary reports an accept error worth retrying after a pause: out of
// sockets or buffers, or a connection aborted before it was accepted.
func isTemporary(err error) bool {
	return errors.Is(err, wsaEMFILE) || errors.Is(err, wsaECONNABORTED) ||
		errors.Is(err, wsaECONNRESET) || errors.Is(err, wsaENOBUFS)
}
