//go:build !windows

package httpcore

import (
	"errors"
	"syscall"
)

// isTemporary reports an accept error worth retrying after a pause: out of
// descriptors or buffers, or a connection aborted before it was accepted.
func isTemporary(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.ENOMEM)
}
