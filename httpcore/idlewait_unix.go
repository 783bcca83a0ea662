//go:build unix

package httpcore

import (
	"io"
	"syscall"
)

// idleWait is the state of the raw idle wait: an idle keep-alive
// connection parks in the runtime poller without a read buffer, and takes
// one from the pool only once the next request's bytes are there.
type idleWait struct {
	fn  func(fd uintptr) bool // c.rawRead, bound on first use
	n   int                   // what the last rawRead read
	err error
}

// idleRead reads the first bytes of the next request into c.buf.
func (c *conn) idleRead() (int, error) {
	if c.raw == nil {
		c.ensureReadBuf()
		return c.rwc.Read(c.buf)
	}
	if c.idle.fn == nil {
		c.idle.fn = c.rawRead // bound once per connection, not per wait
	}
	if err := c.raw.Read(c.idle.fn); err != nil {
		return 0, err // the deadline passed or the connection was closed
	}
	n, err := c.idle.n, c.idle.err
	if n == 0 && err == nil {
		err = io.EOF
	}
	return n, err
}

// rawRead is the RawConn callback of idleRead: it reads when data is ready,
// and otherwise gives the buffer back before the goroutine parks.
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
