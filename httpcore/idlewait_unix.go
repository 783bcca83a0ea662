//go:build unix

package httpcore

import (
	"io"
	"syscall"
)

// idleWait waits for the next request. On a TCP connection it parks in
// the runtime poller without a read buffer, and takes one from the pool
// only once the next request's bytes are there.
type idleWait struct {
	fn  func(fd uintptr) bool // c.rawRead, bound once per connection, not per wait
	n   int                   // what the last rawRead read
	err error
}

// read reads the first bytes of the next request into c.buf.
func (w *idleWait) read(c *conn) (int, error) {
	if c.raw == nil {
		c.ensureReadBuf()
		return c.rwc.Read(c.buf)
	}
	if w.fn == nil {
		w.fn = c.rawRead
	}
	if err := c.raw.Read(w.fn); err != nil {
		return 0, err // the deadline passed or the connection was closed
	}
	n, err := w.n, w.err
	if n == 0 && err == nil {
		err = io.EOF
	}
	return n, err
}

// rawRead is the RawConn callback of idleWait.read: it reads when data is
// ready, and otherwise gives the buffer back before the goroutine parks.
func (c *conn) rawRead(fd uintptr) bool {
	c.ensureReadBuf()
	for {
		n, err := syscall.Read(int(fd), c.buf)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			c.releaseReadBuf()
			return false
		case nil:
			c.idle.n, c.idle.err = n, nil
		default:
			c.idle.n, c.idle.err = 0, err
		}
		return true
	}
}
