//go:build !unix

package httpcore

// idleWait is empty here: without unix's raw nonblocking read, an idle
// connection waits for its next request inside a plain Read and so holds
// a read buffer (4 KiB) while it waits. That is all this platform loses.
type idleWait struct{}

// idleRead reads the first bytes of the next request into c.buf.
func (c *conn) idleRead() (int, error) {
	c.ensureReadBuf()
	return c.rwc.Read(c.buf)
}
