package httpcore

import (
	"bytes"
	"io"
	"net"
	"time"
)

// fakeConn is an in-memory net.Conn: reads come from in, writes go to out.
// It lets table tests and the fuzzer drive the real request reader without
// sockets.
type fakeConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (f *fakeConn) Read(p []byte) (int, error)       { return f.in.Read(p) }
func (f *fakeConn) Write(p []byte) (int, error)      { return f.out.Write(p) }
func (f *fakeConn) Close() error                     { return nil }
func (f *fakeConn) LocalAddr() net.Addr              { return fakeAddr }
func (f *fakeConn) RemoteAddr() net.Addr             { return fakeAddr }
func (f *fakeConn) SetDeadline(time.Time) error      { return nil }
func (f *fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (f *fakeConn) SetWriteDeadline(time.Time) error { return nil }

var fakeAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}

// parseRaw reads one request from raw exactly as a connection would and
// reads its whole body. It returns the request (valid until the next call
// with the same server), the body, how many bytes of raw were consumed and
// the first error: a *ParseError for a refused request.
func parseRaw(srv *Server, raw []byte) (req *Request, body []byte, consumed int, err error) {
	srv.init()
	fc := &fakeConn{in: bytes.NewReader(raw)}
	c := newConn(srv, fc)
	// The request's fields point into the read buffer: it is not given
	// back to the pool, where a connection of a parallel test would write
	// over them while the caller reads them (the race detector caught it).
	if err := c.readRequest(); err != nil {
		return nil, nil, 0, err
	}
	body, err = io.ReadAll(c.req.Body)
	consumed = len(raw) - fc.in.Len() - (c.w - c.r)
	if err != nil {
		return &c.req, body, consumed, err
	}
	return &c.req, body, consumed, nil
}
