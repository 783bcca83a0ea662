package httpcore

import (
	"crypto/tls"
	"net"
	"time"
)

// What a connection does before its first request: read the PROXY
// protocol header (Server.ProxyProtocol, from a trusted peer) and the TLS
// handshake (Server.TLSConfig), both under ReadHeaderTimeout.

// wrapTLS makes rw a TLS server connection when the server has a TLS
// config; the handshake happens in handshake, on the connection's own
// goroutine. Under a PROXY protocol header, the TLS layer reads through a
// prefixConn, which handshake fills with what it read past the header.
func (c *conn) wrapTLS(rw net.Conn) net.Conn {
	cfg := c.srv.TLSConfig
	if cfg == nil {
		return rw
	}
	c.peer.scheme = SchemeHTTPS
	if c.srv.ProxyProtocol && c.peer.trusted {
		c.pre = &prefixConn{Conn: rw}
		return tls.Server(c.pre, cfg)
	}
	return tls.Server(rw, cfg)
}

// handshake reads the PROXY header and completes the TLS handshake. It
// reports false when the connection must close: a malformed header, a
// failed handshake, the time run out.
func (c *conn) handshake() bool {
	if c.srv.ProxyProtocol && c.peer.trusted {
		if err := c.readProxyHeader(); err != nil {
			if err == errProxyHeader {
				c.srv.cfg.log.Warn("httpcore: refused a connection", "remote", c.req.RemoteAddr, "err", err)
			}
			return false
		}
	}
	tc, ok := c.rwc.(*tls.Conn)
	if !ok {
		return true
	}
	c.armRead(c.handshakeTimeout())
	c.armWrite(c.srv.cfg.writeTO)
	return tc.Handshake() == nil
}

func (c *conn) handshakeTimeout() time.Duration {
	if to := c.srv.cfg.headerTO; to > 0 {
		return to
	}
	return DefaultReadHeaderTimeout
}

// readProxyHeader reads the PROXY protocol header into the read buffer
// and takes the client's address from it. Bytes past the header are the
// first request's (kept in the buffer) or, under TLS, the handshake's
// (handed to the TLS layer through c.pre).
func (c *conn) readProxyHeader() error {
	src := c.rwc
	if c.pre != nil {
		src = c.pre.Conn // beneath TLS
	}
	c.ensureReadBuf()
	c.armRead(c.handshakeTimeout())
	for {
		n, remote, err := parseProxy(c.buf[c.r:c.w])
		if err != nil {
			return err
		}
		if n > 0 {
			c.r += n
			if remote != "" {
				c.setPeer(remote)
			}
			return c.afterProxyHeader()
		}
		if c.w == len(c.buf) {
			return errProxyHeader // a v2 header with more TLVs than the buffer holds
		}
		m, err := src.Read(c.buf[c.w:])
		c.w += m
		if m == 0 && err != nil {
			return err
		}
	}
}

// afterProxyHeader places what followed the header: under TLS, in front
// of the TLS layer's reads; else left in the buffer as the start of the
// first request, which makes the connection active.
func (c *conn) afterProxyHeader() error {
	if c.pre != nil {
		c.pre.pre = append([]byte(nil), c.buf[c.r:c.w]...)
		c.r, c.w = 0, 0
		c.releaseReadBuf()
		return nil
	}
	if c.r == c.w {
		c.r, c.w = 0, 0
		return nil
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return errQuiet // closed by Shutdown
	}
	return nil
}

// prefixConn reads pre before reading the connection.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}
