//go:build !linux

package httpcore

// moreWriter flushes the response header ahead of a file's bytes
// (SendFile). MSG_MORE is Linux's: here the header leaves as its own small
// segment ahead of the file, one more packet per file response for the
// same bytes on the wire.
type moreWriter struct{}

// flush is c.flush.
func (moreWriter) flush(c *conn) { c.flush() }
