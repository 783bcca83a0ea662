package httpcore

import "syscall"

// moreWriter flushes the response header ahead of a file's bytes
// (SendFile) with MSG_MORE: the kernel holds the header to leave with what
// follows at once, rather than sending it as a lone small segment (nginx's
// tcp_nopush).
type moreWriter struct {
	fn  func(fd uintptr) bool // m.write, bound on first use: most connections send no file
	p   []byte                // what write still has to send
	err error
}

// flush is c.flush with MSG_MORE.
func (m *moreWriter) flush(c *conn) {
	if c.raw == nil || len(c.wbuf) == 0 || c.werr != nil {
		c.flush()
		return
	}
	if m.fn == nil {
		m.fn = m.write
	}
	c.armWrite(c.srv.cfg.writeTO)
	m.p, m.err = c.wbuf, nil
	err := c.raw.Write(m.fn)
	if err == nil {
		err = m.err
	}
	m.p = nil
	if err != nil {
		c.writeFailed(err)
	}
	c.releaseWriteBuf()
}

// write is flush's RawConn callback.
func (m *moreWriter) write(fd uintptr) bool {
	for len(m.p) > 0 {
		n, err := syscall.SendmsgN(int(fd), m.p, nil, nil, syscall.MSG_MORE)
		switch err {
		case nil:
			m.p = m.p[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait until writable, under the write deadline
		default:
			m.err = err
			return true
		}
	}
	return true
}
