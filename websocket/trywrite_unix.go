//go:build unix

package websocket

import (
	"net"
	"syscall"
)

// rawConnOf finds the socket under nc (through a hijacked connection's
// wrapper), for writes that must not wait.
func rawConnOf(nc net.Conn) syscall.RawConn {
	for {
		switch c := nc.(type) {
		case syscall.Conn:
			rc, err := c.SyscallConn()
			if err != nil {
				return nil
			}
			return rc
		case interface{ NetConn() net.Conn }:
			nc = c.NetConn()
		default:
			return nil
		}
	}
}

// tryWrite writes as much of p as the socket takes now, without waiting,
// and returns how much that was (-1: the socket failed).
func tryWrite(rc syscall.RawConn, p []byte) int {
	n := 0
	err := rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, err := syscall.Write(int(fd), p[n:])
			if m <= 0 || err != nil {
				if err == syscall.EAGAIN || err == syscall.EINTR {
					return true
				}
				n = -1
				return true
			}
			n += m
		}
		return true // never wait for the socket: the writer goroutine does
	})
	if err != nil {
		return -1
	}
	return n
}
