//go:build !linux

package httpcore

// moreWriter is empty here: MSG_MORE is Linux's.
type moreWriter struct{}

// flushMore is a plain flush. Without MSG_MORE the response header of
// SendFile leaves as its own small segment ahead of the file's bytes: one
// more packet per file response, the same bytes on the wire.
func (c *conn) flushMore() { c.flush() }
