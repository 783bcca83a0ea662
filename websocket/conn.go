package websocket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

// Options bound a connection. Zero fields take the defaults below; a
// negative PingInterval sends no pings.
type Options struct {
	// MaxMessage bounds a message (all its fragments): past it the
	// connection is closed with 1009.
	MaxMessage int64
	// PingInterval is how long the peer may stay silent before it is
	// pinged; silent for as long again, it is disconnected.
	PingInterval time.Duration
	// WriteTimeout bounds each frame written to the peer.
	WriteTimeout time.Duration
	// SendQueue bounds the bytes queued for the peer (Send): a peer that
	// reads too slowly to keep under it is closed with 1008.
	SendQueue int
	// Compression accepts permessage-deflate (RFC 7692) when the client
	// offers it, without context takeover either way: messages of
	// compressMin bytes or more go out compressed, and MaxMessage bounds
	// a message once inflated.
	Compression bool
	// Protocol is the subprotocol to answer with (Sec-WebSocket-Protocol),
	// one the client offered (SelectProtocol); "" for none.
	Protocol string
}

// Defaults of Options.
const (
	DefaultMaxMessage   = 1 << 20
	DefaultPingInterval = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	DefaultSendQueue    = 1 << 20
	// closeWait is how long a close handshake waits for the peer's answer.
	closeWait = 5 * time.Second
)

func (o *Options) defaults() {
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.SendQueue <= 0 {
		o.SendQueue = DefaultSendQueue
	}
}

// Conn is one WebSocket connection, server side.
type Conn struct {
	nc      net.Conn
	deflate bool            // permessage-deflate was negotiated
	raw     syscall.RawConn // for writes that do not wait (trywrite_*.go); nil: none
	src     io.Reader       // nc, after what the handshake read ahead
	opt     Options

	// Owned by the reader (ReadMessage).
	in       inbuf // what one read brought beyond the frame being read
	hdr      [14]byte
	ctl      [125]byte // a control frame's payload
	pingSent bool
	readErr  error // how reading ended; returned again

	wmu  sync.Mutex // serializes frame writes
	whdr [14]byte   // under wmu
	werr error      // under wmu: a write failed, the socket is closed

	sendQueue              // Send's queue and its writer (queue.go)
	closeSent atomic.Bool  // our close frame is out: the reader waits for the answer
	closeOnce sync.Once    // the socket is closed once
	ours      atomic.Value // *CloseError: the close we sent, when we did first
}

// newConn writes the handshake's answer on nc and returns the Conn.
func newConn(nc net.Conn, rest []byte, o Options, accept string, deflate bool) (*Conn, error) {
	o.defaults()
	c := &Conn{nc: nc, src: nc, opt: o, raw: rawConnOf(nc), deflate: deflate}
	if len(rest) > 0 {
		c.src = io.MultiReader(bytes.NewReader(rest), nc)
	}
	nc.SetWriteDeadline(time.Now().Add(o.WriteTimeout))
	if _, err := nc.Write(handshakeAnswer(accept, deflate, o.Protocol)); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetWriteDeadline(time.Time{}) // a stale deadline would fail writeNow's raw writes
	return c, nil
}

// ErrClosed is Send's error on a connection that is closing or closed.
var ErrClosed = errors.New("websocket: connection closed")

// ReadMessage returns the next message, answering pings and the peer's
// close on the way. It returns a *CloseError when the connection ended:
// the peer's close (Remote), ours, a protocol violation (the close we
// sent for it: 1002, 1007, 1009) or a broken connection (1006). Call it
// from one goroutine. The data is the caller's.
func (c *Conn) ReadMessage() (Kind, []byte, error) {
	if c.readErr != nil {
		return 0, nil, c.readErr
	}
	k, msg, err := c.readMessage()
	if err != nil {
		c.readErr = c.ending(err)
		return 0, nil, c.readErr
	}
	return k, msg, nil
}

// readMessage assembles one message from its frames; control frames may
// come between the fragments (section 5.4).
func (c *Conn) readMessage() (Kind, []byte, error) {
	var msg []byte
	var kind byte
	compressed := false
	for {
		h, err := c.readHeader()
		if err != nil {
			return 0, nil, err
		}
		if perr := h.check(c.opt.MaxMessage, c.deflate); perr != nil {
			return 0, nil, perr
		}
		if h.op >= opClose {
			if err := c.control(&h); err != nil {
				return 0, nil, err
			}
			continue
		}
		switch {
		case kind == 0 && h.op == opContinuation:
			return 0, nil, &protocolError{CloseProtocolError, "continuation frame without a message"}
		case kind != 0 && h.op != opContinuation:
			return 0, nil, &protocolError{CloseProtocolError, "new message inside a fragmented one"}
		case int64(len(msg))+h.length > c.opt.MaxMessage:
			return 0, nil, &protocolError{CloseTooBig, "message too big"}
		}
		if kind == 0 {
			kind, compressed = h.op, h.rsv == rsv1
		}
		if msg, err = c.readPayload(&h, msg); err != nil {
			return 0, nil, err
		}
		if h.fin && compressed {
			if msg, err = decompress(msg, c.opt.MaxMessage); err != nil {
				return 0, nil, err
			}
		}
		if h.fin {
			if kind == opText && !utf8.Valid(msg) {
				return 0, nil, &protocolError{CloseInvalidData, "text message is not UTF-8"}
			}
			return Kind(kind), msg, nil
		}
	}
}

// readHeader reads a frame header into c.hdr: two bytes first, the rest
// once they say how long it is. Silence past PingInterval sends a ping;
// silence for as long again ends the connection.
func (c *Conn) readHeader() (header, error) {
	var h header
	for {
		c.armRead()
		n, err := c.readFull(c.hdr[:2])
		if err == nil {
			break
		}
		if n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) || c.closeSent.Load() || c.pingSent {
			return h, err
		}
		c.pingSent = true
		c.writeFrame(opPing, nil)
	}
	h.fin, h.rsv, h.op = c.hdr[0]&0x80 != 0, c.hdr[0]&0x70, c.hdr[0]&0x0F
	h.masked = c.hdr[1]&0x80 != 0
	n := int(c.hdr[1] & 0x7F)
	extra := 0
	if h.masked {
		extra = 4
	}
	switch n {
	case 126:
		extra += 2
	case 127:
		extra += 8
	}
	if _, err := c.readFull(c.hdr[2 : 2+extra]); err != nil {
		return h, err
	}
	rest := c.hdr[2 : 2+extra]
	switch n {
	case 126:
		h.length, rest = int64(binary.BigEndian.Uint16(rest)), rest[2:]
	case 127:
		h.length, rest = int64(binary.BigEndian.Uint64(rest)), rest[8:]
	default:
		h.length = int64(n)
	}
	if h.masked {
		copy(h.mask[:], rest)
	}
	return h, nil
}

// armRead sets the read deadline: PingInterval while open, the close
// handshake's wait once our close is out.
func (c *Conn) armRead() {
	switch {
	case c.closeSent.Load():
		c.nc.SetReadDeadline(time.Now().Add(closeWait))
	case c.opt.PingInterval > 0:
		c.nc.SetReadDeadline(time.Now().Add(c.opt.PingInterval))
	}
}

// readPayload reads a data frame's payload onto msg, allocated at its size.
func (c *Conn) readPayload(h *header, msg []byte) ([]byte, error) {
	start := len(msg)
	n := int(h.length)
	if cap(msg)-start < n {
		grown := make([]byte, start, start+n)
		copy(grown, msg)
		msg = grown
	}
	msg = msg[:start+n]
	if _, err := c.readFull(msg[start:]); err != nil {
		return nil, err
	}
	unmask(msg[start:], h.mask, 0)
	return msg, nil
}

// control handles a ping, a pong or a close.
func (c *Conn) control(h *header) error {
	p := c.ctl[:h.length]
	if _, err := c.readFull(p); err != nil {
		return err
	}
	unmask(p, h.mask, 0)
	c.pingSent = false // any frame shows the peer alive
	switch h.op {
	case opPing:
		c.writeFrame(opPong, p)
		return nil
	case opPong:
		return nil
	}
	code, reason, perr := parseClose(p)
	if perr != nil {
		return perr
	}
	if ours, _ := c.ours.Load().(*CloseError); ours != nil {
		return ours // the answer to our close
	}
	c.closeSent.Store(true)
	c.writeFrame(opClose, closePayload(code, ""))
	return &CloseError{Code: code, Reason: reason, Remote: true}
}

// ending turns what ended reading into the CloseError to report, sending
// the close a protocol violation calls for, and closes the socket.
func (c *Conn) ending(err error) error {
	var ce *CloseError
	var pe *protocolError
	switch {
	case errors.As(err, &ce):
	case errors.As(err, &pe):
		ce = &CloseError{Code: pe.code, Reason: pe.reason}
		c.sendClose(ce) // the queue may be busy: the reader writes it itself
	default:
		if ours, _ := c.ours.Load().(*CloseError); ours != nil {
			ce = ours
		} else {
			ce = &CloseError{Code: CloseAbnormal, Reason: err.Error()}
		}
	}
	c.closeSocket()
	return ce
}

// sendClose writes a close frame now, unless one was sent.
func (c *Conn) sendClose(ce *CloseError) {
	if c.ours.CompareAndSwap(nil, ce) && !c.closeSent.Swap(true) {
		c.stopQueue()
		c.nc.SetReadDeadline(time.Now().Add(closeWait)) // the reader waits no longer for the answer
		c.writeFrame(opClose, closePayload(ce.Code, ce.Reason))
	}
}

// writeFrame writes one whole frame, under the write lock and timeout. A
// failed write closes the socket: the reader then ends.
func (c *Conn) writeFrame(op byte, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.opt.WriteTimeout))
	bufs := net.Buffers{appendHeader(c.whdr[:0], op, true, len(p)), p}
	if op == opRaw {
		bufs = bufs[1:]
	}
	if _, err := bufs.WriteTo(c.nc); err != nil {
		c.werr = err
		c.closeSocket()
		return err
	}
	c.nc.SetWriteDeadline(time.Time{}) // a stale deadline would fail writeNow's raw writes
	return nil
}

// closeSocket closes the connection, once.
func (c *Conn) closeSocket() {
	c.closeOnce.Do(func() {
		c.stopQueue()
		c.nc.Close()
	})
}

// inbuf is a small read buffer inside the Conn: one read takes a whole
// small frame (header, mask and payload) instead of three, and an idle
// connection still holds no separate buffer.
type inbuf struct {
	b    [512]byte
	r, w int
}

// readFull fills p from the buffer, then from the connection: a short
// remainder through the buffer, a long one directly into p.
func (c *Conn) readFull(p []byte) (int, error) {
	in := &c.in
	n := copy(p, in.b[in.r:in.w])
	in.r += n
	for n < len(p) {
		if len(p)-n >= len(in.b) {
			m, err := io.ReadFull(c.src, p[n:])
			return n + m, err
		}
		m, err := c.src.Read(in.b[:])
		in.r, in.w = 0, m
		k := copy(p[n:], in.b[:m])
		in.r, n = k, n+k
		if err != nil && n < len(p) {
			if err == io.EOF && n > 0 {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	return n, nil
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }
