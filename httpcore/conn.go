package httpcore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Connection states, for Shutdown: only an idle connection (waiting for a
// request's first byte) may be closed under it.
const (
	stateIdle int32 = iota
	stateActive
	stateClosed
)

const (
	readBufSize  = 4 << 10
	writeBufSize = 4 << 10
	// discardLimit is how much unread body the server reads and drops to
	// keep a connection alive after the handler ignored the body (as
	// net/http's maxPostHandlerReadBytes).
	discardLimit = 256 << 10
)

// Read and write buffers are pooled as array pointers, so that Put does not
// allocate. An idle connection holds neither (see waitRequest).
var (
	readBufPool  = sync.Pool{New: func() any { return new([readBufSize]byte) }}
	writeBufPool = sync.Pool{New: func() any { return new([writeBufSize]byte) }}
)

// conn serves one connection. Everything in it is owned by the serve
// goroutine, except state, which Shutdown reads, and watch, which the
// client-gone watch goroutine fills while it runs (context.go).
type conn struct {
	srv  *Server
	rwc  net.Conn
	raw  syscall.RawConn // nil unless rwc is a TCP connection
	idle idleWait        // waits for the next request (idlewait_*.go)
	more moreWriter      // flushes ahead of a file (conn_linux.go, conn_other.go)

	buf      []byte     // read buffer; nil while idle
	r, w     int        // buf[r:w] is unread input
	bodyBase int        // buf[:bodyBase] holds the current head; body reads keep it
	bodyBuf  []byte     // whole-body storage for ReadBody when not zero-copy; kept if small
	stored   storedBody // what ReceiveBody read (receive.go)
	// The whole-body deadline while ReceiveBody, ReadBody or the discard
	// reads (zero: none), and when that read began (receive.go).
	bodyDL, bodyStart time.Time

	wbuf []byte // pending output; nil when flushed
	iov  [3][]byte
	bufs net.Buffers // writeThrough's vector, over iov

	req   Request
	res   ResponseWriter
	peer  peer           // forwarded.go
	pre   *prefixConn    // beneath TLS after a PROXY header (handshake.go)
	idBuf [idBufLen]byte // storage of a generated Request.ID
	body  body

	// The request's context (context.go): ctx is nil until the handler
	// asks for it; cancel is nil except while a handler holds a context.
	ctx    context.Context
	cancel context.CancelCauseFunc
	watch  watcher // the client-gone watch

	readDL, writeDL time.Time // armed deadlines (zero: none)
	state           atomic.Int32
	idleSince       atomic.Int64 // when it began waiting for a request (unix ns); evictIdle reads it
	released        atomic.Bool  // its MaxConns slot is given back (releaseSlot)
	keptAlive       bool         // a request was served: the next waits IdleTimeout
	closeAfter      bool         // close once the current response is out
	werr            error        // a socket write failed: output is dropped
	lingerOnClose   bool         // input may remain: drain it before closing
	hijacked        bool         // the handler took the connection over (hijack.go)

	// writeClock is the clock read for the Date of the response just
	// committed, for the write deadline armed next (zero: read afresh).
	writeClock time.Time
}

func newConn(s *Server, rw net.Conn) *conn {
	c := &conn{srv: s}
	c.peer.scheme = SchemeHTTP
	c.setPeer(rw.RemoteAddr().String())
	rw = c.wrapTLS(rw) // handshake.go
	c.rwc = rw
	if tc, ok := rw.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	c.req.c = c
	c.req.Body = &c.body
	c.req.LocalAddr = rw.LocalAddr()
	c.body.c = c
	c.res.c = c
	c.res.req = &c.req
	c.idleSince.Store(time.Now().UnixNano())
	c.state.Store(stateIdle)
	return c
}

// releaseSlot gives the connection's MaxConns slot back, once: when it
// finishes or, earlier, when evictIdle closes it.
func (c *conn) releaseSlot() {
	if c.released.CompareAndSwap(false, true) {
		c.srv.open.Add(-1)
	}
}

// serve is the keep-alive loop: read a request, call the handler, write the
// response, until either side closes.
func (c *conn) serve() {
	defer c.finish()
	if (c.srv.TLSConfig != nil || c.srv.ProxyProtocol) && !c.handshake() {
		return
	}
	for {
		err := c.readRequest()
		if err != nil {
			c.answerError(err)
			return
		}
		c.serveRequest()
		if c.closeAfter || c.hijacked {
			return
		}
		c.keptAlive = true
	}
}

// finish flushes what is pending, closes the socket and returns buffers.
func (c *conn) finish() {
	if c.hijacked {
		c.finishHijacked()
		return
	}
	c.flush()
	// A client that was too slow (408) gets no more time; one whose
	// connection failed has nothing to read.
	if c.lingerOnClose && c.werr == nil && c.res.status != 408 {
		cfg := &c.srv.cfg
		lingerClose(c.rwc, lingering{max(cfg.maxBody, discardLimit), cfg.lingerTime, cfg.lingerWait})
	} else {
		c.rwc.Close()
	}
	c.state.Store(stateClosed)
	c.releaseStored() // the handler never returned normally (runtime.Goexit)
	c.releaseReadBuf()
	c.srv.trackConn(c, false)
	c.releaseSlot()
}

// serveRequest runs the handler for the parsed request and completes its
// response.
func (c *conn) serveRequest() {
	w := &c.res
	w.start()
	w.req.Received = c.srv.now()
	c.callHandler()
	c.endContext()
	c.releaseStored()
	if c.hijacked {
		return // the handler owns the connection (hijack.go)
	}
	if st := StatusOf(c.body.err); st != 0 && !w.committed {
		// The body was malformed or too large: that, not whatever the
		// handler buffered, is the answer, unless the handler answered
		// with that very status (its own words for the refusal).
		c.closeAfter = true
		if w.status != st {
			w.reset()
			w.writeError(st, c.body.err.(*ParseError).Reason)
		}
	}
	w.end()
	if !c.closeAfter && !c.body.done() {
		c.flush() // answer first; the client may wait for it before sending more
		c.discardBody()
	}
	if c.closeAfter && (!c.body.done() || c.r < c.w) && StatusOf(c.body.err) != 408 {
		c.lingerOnClose = true // the client may still be sending (and is not slow)
	}
	if c.srv.inShutdown.Load() {
		c.closeAfter = true
	}
	// Batch responses to pipelined requests; flush when the input is drained.
	if c.closeAfter || c.r == c.w || len(c.wbuf) >= writeBufSize {
		c.flush()
	}
}

// callHandler calls the handler; a panic becomes a 500 (or a closed
// connection when the response was already under way).
func (c *conn) callHandler() {
	defer func() {
		if p := recover(); p != nil {
			c.closeAfter = true
			if p != ErrAbortHandler {
				c.srv.cfg.log.Error("httpcore: handler panic", "remote", c.req.RemoteAddr,
					"method", string(c.req.Method), "target", string(c.req.Target),
					"panic", p, "stack", string(debug.Stack()))
			}
			if !c.res.committed && p != ErrAbortHandler {
				c.res.reset()
				c.res.writeError(500, "internal error")
			} else {
				c.res.aborted = true
			}
		}
	}()
	c.srv.Handler.ServeHTTP(&c.res, &c.req)
}

// ErrAbortHandler, raised with panic by a handler, aborts the response and
// closes the connection without logging a stack trace.
var ErrAbortHandler = errors.New("httpcore: abort handler")

// errQuiet ends a connection without an answer: the peer closed, timed out
// between requests, or the server is shutting down.
var errQuiet = errors.New("httpcore: close quietly")

var errRequestTimeout = &ParseError{408, "request header timeout"}

// answerError is the one place where a failure to read a request becomes
// bytes on the wire.
func (c *conn) answerError(err error) {
	var pe *ParseError
	switch {
	case errors.As(err, &pe):
		c.res.reset()
		c.res.writeError(pe.Status, pe.Reason)
		c.res.end()
		c.lingerOnClose = true
	default:
		// EOF, reset, idle timeout, shutdown: nothing to say.
	}
}

// readRequest reads and parses the next request head into c.req.
func (c *conn) readRequest() error {
	c.req.reset()
	c.body.reset()
	c.ctx = nil
	c.bodyBase = 0 // the previous head is no longer referenced
	if c.r == c.w {
		if err := c.waitRequest(); err != nil {
			return err
		}
	} else if c.state.Load() == stateClosed {
		return errQuiet
	}
	lim := &c.srv.cfg.limits
	// A new connection's first head is due ReadHeaderTimeout after the
	// accept (waitRequest armed it): its first byte does not restart it.
	headerArmed := !c.keptAlive && c.srv.cfg.headerTO > 0
	scanned := 0 // bytes of buf[c.r:] already searched for the end of head
	for {
		c.skipEmptyLines()
		if end := findHeadEnd(c.buf[c.r:c.w], scanned); end >= 0 {
			if end > lim.maxHeader {
				return errHeaderTooLarge
			}
			head := c.buf[c.r : c.r+end]
			if err := parseHead(&c.req, head, lim); err != nil {
				return err
			}
			c.r += end
			c.bodyBase = c.r
			c.prepare()
			return c.startBody()
		}
		n := c.w - c.r
		scanned = max(n-2, 0)
		if n > lim.maxLine && bytes.IndexByte(c.buf[c.r:c.w], '\n') < 0 {
			return errURITooLong
		}
		if n >= lim.maxHeader {
			if i := bytes.IndexByte(c.buf[c.r:c.w], '\n'); i < 0 || i > lim.maxLine {
				return errURITooLong
			}
			return errHeaderTooLarge
		}
		if !headerArmed {
			// The head is incomplete: from now on the client has
			// ReadHeaderTimeout to finish it, however it trickles.
			c.armRead(c.srv.cfg.headerTO)
			headerArmed = true
		}
		if err := c.fill(lim.maxHeader); err != nil {
			if n == 0 {
				return errQuiet
			}
			if isTimeout(err) {
				return errRequestTimeout
			}
			return errQuiet
		}
	}
}

// skipEmptyLines drops CRLF or LF before a request line (RFC 9112,
// section 2.2: a server SHOULD ignore at least one).
func (c *conn) skipEmptyLines() {
	for c.r < c.w {
		switch {
		case c.buf[c.r] == '\n':
			c.r++
		case c.buf[c.r] == '\r' && c.r+1 < c.w && c.buf[c.r+1] == '\n':
			c.r += 2
		default:
			return
		}
	}
}

// findHeadEnd returns the length of the head in b (through the empty line
// that ends it), or -1 when b does not hold it all yet. from is where to
// resume searching.
func findHeadEnd(b []byte, from int) int {
	i := from
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i + 2
		}
	}
}

// waitRequest waits for the first bytes of the next request: under the
// idle timeout on a kept-alive connection, under the header timeout on a
// new one, which has yet to say anything. On a TCP connection of a unix
// system it waits without holding a read buffer (idlewait_unix.go): the
// buffer is taken from the pool only when data is there to read.
func (c *conn) waitRequest() error {
	c.r, c.w = 0, 0
	now := time.Now()
	if c.keptAlive {
		c.idleSince.Store(now.UnixNano()) // a new one waits since its accept
	}
	c.state.Store(stateIdle)
	if c.srv.inShutdown.Load() {
		return errQuiet
	}
	to := c.srv.cfg.headerTO
	if c.keptAlive || to <= 0 {
		to = c.srv.cfg.idleTO // with no header timeout, a new one still has this
	}
	c.armReadFrom(now, to)
	n, err := c.idle.read(c)
	if n > 0 {
		c.w = n
		err = nil
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return errQuiet // closed by Shutdown
	}
	if err != nil {
		return errQuiet
	}
	return nil
}

func (c *conn) ensureReadBuf() {
	if c.buf == nil {
		c.buf = readBufPool.Get().(*[readBufSize]byte)[:]
	}
}

func (c *conn) releaseReadBuf() {
	if c.buf != nil && cap(c.buf) == readBufSize {
		readBufPool.Put((*[readBufSize]byte)(c.buf[:readBufSize]))
	}
	c.buf = nil
}

// fill reads more input after buf[c.w], making room first. It keeps
// buf[:c.bodyBase] in place: the current request's head points into it.
// limit bounds how large the buffer may grow.
func (c *conn) fill(limit int) error {
	c.makeRoom(limit)
	n, err := c.rwc.Read(c.buf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// makeRoom makes buf[c.w:] non-empty: it moves the unread input down to
// bodyBase, or else grows the buffer.
func (c *conn) makeRoom(limit int) {
	c.ensureReadBuf()
	if c.w == len(c.buf) {
		base := c.bodyBase
		if c.r > base {
			c.w = copy(c.buf[base:], c.buf[c.r:c.w]) + base
			c.r = base
		}
		if c.w == len(c.buf) {
			c.grow(limit)
		}
	}
}

// grow replaces the read buffer with a larger copy. The old buffer is not
// returned to the pool: the current head may still point into it.
func (c *conn) grow(limit int) {
	size := max(2*len(c.buf), c.bodyBase+readBufSize)
	size = min(size, max(limit+c.bodyBase, len(c.buf)+1))
	nb := make([]byte, size)
	copy(nb, c.buf[:c.w])
	if c.bodyBase == 0 && cap(c.buf) == readBufSize {
		readBufPool.Put((*[readBufSize]byte)(c.buf[:readBufSize]))
	}
	c.buf = nb
}

// armRead sets the read deadline to now+d. Re-arming costs a runtime timer
// update, so a deadline already within a small slack of the wanted one is
// kept; the slack is d/20, at most one second.
func (c *conn) armRead(d time.Duration) { c.armReadFrom(time.Now(), d) }

// armReadFrom is armRead for a caller that has read the clock already.
func (c *conn) armReadFrom(now time.Time, d time.Duration) {
	if dl, ok := rearm(c.readDL, now, d); ok {
		c.readDL = dl
		c.rwc.SetReadDeadline(dl)
	}
}

func (c *conn) armWrite(d time.Duration) {
	now := c.writeClock
	if now.IsZero() {
		now = time.Now()
	} else {
		c.writeClock = time.Time{} // once: later writes may follow a blocked one
	}
	if dl, ok := rearm(c.writeDL, now, d); ok {
		c.writeDL = dl
		c.rwc.SetWriteDeadline(dl)
	}
}

// rearm returns the deadline for a timeout d from now (zero for none) and
// whether it differs enough from cur to be worth setting.
func rearm(cur, now time.Time, d time.Duration) (time.Time, bool) {
	if d <= 0 {
		return time.Time{}, !cur.IsZero()
	}
	want := now.Add(d)
	slack := min(d/20, time.Second)
	diff := cur.Sub(want)
	return want, cur.IsZero() || diff > slack || diff < -slack
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// flush writes pending output to the socket and returns the write buffer.
func (c *conn) flush() {
	if len(c.wbuf) == 0 {
		c.releaseWriteBuf()
		return
	}
	if c.werr == nil {
		c.armWrite(c.srv.cfg.writeTO)
		if _, err := c.rwc.Write(c.wbuf); err != nil {
			c.writeFailed(err)
		}
	}
	c.releaseWriteBuf()
}

func (c *conn) writeFailed(err error) {
	c.werr = err
	c.closeAfter = true
}

// writeThrough writes pending output followed by p, without copying p into
// the write buffer (writev for large bodies).
func (c *conn) writeThrough(p []byte) error {
	if c.werr == nil {
		c.armWrite(c.srv.cfg.writeTO)
		c.iov[0], c.iov[1] = c.wbuf, p
		c.bufs = c.iov[:2] // a field: a local net.Buffers would escape per call
		if _, err := c.bufs.WriteTo(c.rwc); err != nil {
			c.writeFailed(err)
		}
		c.iov[0], c.iov[1] = nil, nil
	}
	c.releaseWriteBuf()
	return c.werr
}

func (c *conn) ensureWriteBuf() {
	if c.wbuf == nil {
		c.wbuf = writeBufPool.Get().(*[writeBufSize]byte)[:0]
	}
}

func (c *conn) releaseWriteBuf() {
	if c.wbuf != nil && cap(c.wbuf) == writeBufSize {
		writeBufPool.Put((*[writeBufSize]byte)(c.wbuf[:writeBufSize]))
	}
	c.wbuf = nil
}

// Bounds of a connection's lingering close (lingerClose): a client that
// keeps sending gets lingerTime in all, a silent one lingerWait. nginx has
// 30 s and 5 s (lingering_time, lingering_timeout); a client sending what
// nobody reads deserves less.
const (
	lingerTime = 5 * time.Second
	lingerWait = time.Second
)

// lingering is how lingerClose may read: at most max bytes, for at most
// total in all and wait between two reads.
type lingering struct {
	max         int64
	total, wait time.Duration
}

// lingerClose closes after a response that may have left unread input:
// closing at once would make the kernel reset the connection, and the
// reset can destroy the response before the client reads it. So it shuts
// down the sending side (the client sees the end of the response), reads
// and drops what the client still sends, within l's bounds, and then
// closes (nginx's lingering_close).
func lingerClose(rw net.Conn, l lingering) {
	cw, ok := rw.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		rw.Close()
		return
	}
	buf := readBufPool.Get().(*[readBufSize]byte)
	defer readBufPool.Put(buf)
	end := time.Now().Add(l.total)
	for read := int64(0); read < l.max; {
		dl := time.Now().Add(l.wait)
		if dl.After(end) {
			dl = end
		}
		rw.SetReadDeadline(dl)
		n, err := rw.Read(buf[:])
		read += int64(n)
		if err != nil {
			break
		}
	}
	rw.Close()
}
