//go:build !unix

package httpcore

// idleWait waits for the next request. Without unix's raw nonblocking read
// an idle connection waits inside a plain Read and so holds its read
// buffer (4 KiB) while it waits; that is all this platform loses.
type idleWait struct{}

// read reads the first bytes of the next request into c.buf.
func (idleWait) read(c *conn) (int, error) {
	c.ensureReadBuf()
	return c.rwc.Read(c.buf)
}
