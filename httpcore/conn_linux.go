package httpcore

import "syscall"

// moreWriter is the state of flushMore's RawConn callback.
type moreWriter struct {
	fn  func(fd uintptr) bool // c.rawWriteMore, bound on first use
	p   []byte                // what rawWriteMore still has to send
	err error
}

// flushMore is flush with MSG_MORE: the kernel holds the bytes to leave
// with what follows at once (the sendfile body of SendFile), rather than
// sending a response header as a lone small segment (nginx's tcp_nopush).
func (c *conn) flushMore() {
	if c.raw == nil || len(c.wbuf) == 0 || c.werr != nil {
		c.flush()
		return
	}
	if c.more.fn == nil {
		c.more.fn = c.rawWriteMore // bound on first use: most connections send no file
	}
	c.armWrite(c.srv.cfg.writeTO)
	c.more.p, c.more.err = c.wbuf, nil
	err := c.raw.Write(c.more.fn)
	if err == nil {
		err = c.more.err
	}
	c.more.p = nil
	if err != nil {
		c.writeFailed(err)
	}
	c.releaseWriteBuf()
}

// rawWriteMore is flushMore's RawConn callback.
func (c *conn) rawWriteMore(fd uintptr) bool {
	for len(c.more.p) > 0 {
		n, err := syscall.SendmsgN(int(fd), c.more.p, nil, nil, syscall.MSG_MORE)
		switch err {
		case nil:
			c.more.p = c.more.p[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait until writable, under the write deadline
		default:
			c.more.err = err
			return true
		}
	}
	return true
}
