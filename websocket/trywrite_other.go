//go:build !unix

package websocket

import (
	"net"
	"syscall"
)

// rawConnOf returns nil: without unix's non-blocking write, every message
// goes through the writer goroutine.
func rawConnOf(net.Conn) syscall.RawConn { return nil }

func tryWrite(syscall.RawConn, []byte) int { return 0 }
