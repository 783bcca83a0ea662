package httpcore

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// maxBuffered is how much body a response buffers before it starts
// streaming. A handler that returns first gets a Content-Length response.
const maxBuffered = 64 << 10

// Body buffers come in two sizes, so that the common small response does
// not take (and, after each GC, re-zero) 64 KiB.
const smallBody = 4 << 10

var (
	smallBodyPool = sync.Pool{New: func() any { return new([smallBody]byte) }}
	largeBodyPool = sync.Pool{New: func() any { return new([maxBuffered]byte) }}
)

// ErrBodyNotAllowed is returned by Write for a response that has no body
// (HEAD, 1xx, 204, 304); the bytes are dropped.
var ErrBodyNotAllowed = errors.New("httpcore: response has no body")

// ErrContentLength is returned by Write past a declared Content-Length.
var ErrContentLength = errors.New("httpcore: wrote more than the declared Content-Length")

// ResponseWriter builds the response to one request. The body is buffered
// until the handler returns (then sent with Content-Length) or until it
// passes 64 KiB or Flush is called (then streamed: chunked for HTTP/1.1, or
// with the Content-Length the handler set, or until close for HTTP/1.0).
// It is owned by the connection and reused for its next request.
type ResponseWriter struct {
	c   *conn
	req *Request

	status    int
	header    Header
	body      []byte // pending body; pooled storage while in use
	written   int64  // body bytes accepted from the handler
	declared  int64  // Content-Length set by the handler, -1 when none
	committed bool   // status line and header are out
	chunked   bool
	noBody    bool // HEAD, 1xx, 204, 304
	aborted   bool // a panic after commit: close without finishing
}

// Header returns the response header, to change before the first Write.
func (w *ResponseWriter) Header() *Header { return &w.header }

// WriteHeader sets the status code; it has no effect once the response is
// committed (after Flush or 64 KiB of body).
func (w *ResponseWriter) WriteHeader(status int) {
	if !w.committed && status >= 100 && status <= 999 {
		w.status = status
	}
}

// Status returns the status code (200 unless set).
func (w *ResponseWriter) Status() int { return w.status }

// Written reports how many body bytes the handler has written.
func (w *ResponseWriter) Written() int64 { return w.written }

// Committed reports whether the status line and header have been sent.
func (w *ResponseWriter) Committed() bool { return w.committed }

// SetContentLength declares the body length, as a Content-Length header
// would. A streamed response then goes out without chunked coding.
func (w *ResponseWriter) SetContentLength(n int64) {
	if !w.committed {
		w.declared = n
	}
}

// Write appends p to the body.
func (w *ResponseWriter) Write(p []byte) (int, error) { return appendBody(w, p) }

// WriteString is Write for a string, without converting it.
func (w *ResponseWriter) WriteString(s string) (int, error) { return appendBody(w, s) }

func appendBody[T string | []byte](w *ResponseWriter, p T) (int, error) {
	if w.noBody || w.noBodyNow() {
		return w.drop(len(p))
	}
	total := len(p)
	for len(p) > 0 {
		w.room(len(p))
		n := copy(w.body[len(w.body):cap(w.body)], p)
		w.body = w.body[:len(w.body)+n]
		p = p[n:]
		if len(w.body) == maxBuffered {
			if err := w.Flush(); err != nil {
				return total - len(p), err
			}
		}
	}
	w.written += int64(total)
	return total, nil
}

// room makes the body buffer ready for need more bytes: a small buffer
// first, a large one once the body outgrows it.
func (w *ResponseWriter) room(need int) {
	switch {
	case w.body == nil && need <= smallBody:
		w.body = smallBodyPool.Get().(*[smallBody]byte)[:0]
	case w.body == nil:
		w.body = largeBodyPool.Get().(*[maxBuffered]byte)[:0]
	case cap(w.body) == smallBody && len(w.body)+need > smallBody:
		large := largeBodyPool.Get().(*[maxBuffered]byte)[:len(w.body)]
		copy(large, w.body)
		w.releaseBody()
		w.body = large
	}
}

// releaseBody returns the body buffer to its pool.
func (w *ResponseWriter) releaseBody() {
	switch cap(w.body) {
	case smallBody:
		smallBodyPool.Put((*[smallBody]byte)(w.body[:smallBody]))
	case maxBuffered:
		largeBodyPool.Put((*[maxBuffered]byte)(w.body[:maxBuffered]))
	}
	w.body = nil
}

// drop counts n body bytes that are not sent: a HEAD response still tells
// their length, as GET would (RFC 9110, section 9.3.2).
func (w *ResponseWriter) drop(n int) (int, error) {
	w.written += int64(n)
	if w.noBody && w.bodyAllowed() {
		return n, nil
	}
	return n, ErrBodyNotAllowed
}

// noBodyNow reports whether the status set so far forbids a body.
func (w *ResponseWriter) noBodyNow() bool {
	s := w.status
	return s < 200 || s == 204 || s == 304
}

// Flush commits the response (streaming from here on) and sends the
// buffered body to the client.
func (w *ResponseWriter) Flush() error {
	c := w.c
	if !w.committed {
		w.commit(false)
	}
	if err := w.sendBody(w.body); err != nil {
		return err
	}
	w.body = w.body[:0]
	c.flush()
	return c.werr
}

// Reset drops what the handler has set so far (status, header, buffered
// body), to answer something else instead. It reports false, and does
// nothing, once the response is committed.
func (w *ResponseWriter) Reset() bool {
	if w.committed {
		return false
	}
	w.reset()
	return true
}

// start prepares the writer for a new request.
func (w *ResponseWriter) start() {
	w.status = 200
	w.header.Reset()
	w.written = 0
	w.declared = -1
	w.committed, w.chunked, w.aborted = false, false, false
	w.c.writeClock = time.Time{} // an earlier response's, pending in a batch: stale now
	w.noBody = string(w.req.Method) == "HEAD"
}

// reset drops an uncommitted response, to answer something else instead.
func (w *ResponseWriter) reset() {
	noBody := w.noBody
	w.start()
	w.noBody = noBody
	if w.body != nil {
		w.body = w.body[:0]
	}
}

// end completes the response after the handler returned.
func (w *ResponseWriter) end() {
	c := w.c
	switch {
	case w.aborted:
		c.closeAfter = true
	case !w.committed:
		w.maybeCompress() // compress.go
		w.commit(true)
		w.sendBody(w.body)
	default:
		w.sendBody(w.body)
		if w.chunked {
			c.writeOut(lastChunk)
		} else if w.declared >= 0 && w.written != w.declared && !w.noBody && w.bodyAllowed() {
			c.closeAfter = true // the message is short: only closing can say so
		}
	}
	if w.body != nil {
		w.releaseBody()
	}
}

var lastChunk = []byte("0\r\n\r\n")

func (w *ResponseWriter) bodyAllowed() bool {
	s := w.status
	return s >= 200 && s != 204 && s != 304
}

// sendBody sends p as body bytes of a committed response.
func (w *ResponseWriter) sendBody(p []byte) error {
	if len(p) == 0 || w.noBody || !w.bodyAllowed() {
		return nil
	}
	c := w.c
	if w.chunked {
		c.ensureWriteBuf()
		c.wbuf = strconv.AppendInt(c.wbuf, int64(len(p)), 16)
		c.wbuf = append(c.wbuf, "\r\n"...)
		c.writeOut(p)
		c.writeOut(crlf)
		return nil
	}
	return c.writeOut(p)
}

var crlf = []byte("\r\n")

// writeOut queues p after pending output: copied when it fits in the write
// buffer, written through with the pending bytes otherwise.
func (c *conn) writeOut(p []byte) error {
	c.ensureWriteBuf()
	if len(c.wbuf)+len(p) <= writeBufSize {
		c.wbuf = append(c.wbuf, p...)
		return nil
	}
	return c.writeThrough(p)
}

// dateTime is the time for the Date field: the clock read as the
// response is committed, which RFC 9110 (section 6.6.1) asks for, so a
// handler that ran for seconds is not dated by when its request came in.
// The reading is kept for the write that follows (armWrite), which would
// otherwise read the clock itself: a request still costs one read for its
// Date and write deadline together.
func (w *ResponseWriter) dateTime() time.Time {
	c := w.c
	c.writeClock = time.Now()
	if c.srv.Clock != nil {
		return c.srv.Clock()
	}
	return c.writeClock
}

// commit writes the status line and header. final says the handler has
// returned, so the buffered body is the whole body.
func (w *ResponseWriter) commit(final bool) {
	c := w.c
	w.committed = true
	if !w.bodyAllowed() || w.noBody {
		w.noBody = true
	}
	c.ensureWriteBuf()
	b := appendStatusLine(c.wbuf, w.status)
	b, hasDate, hasServer, closeReq := w.appendFields(b)
	if !hasDate {
		b = append(b, "Date: "...)
		b = append(b, c.srv.date.get(w.dateTime())...)
		b = append(b, "\r\n"...)
	}
	if !hasServer && c.srv.Name != "" {
		b = append(b, "Server: "...)
		b = append(b, c.srv.Name...)
		b = append(b, "\r\n"...)
	}
	b = w.appendCoreFields(b)
	b = w.appendFraming(b, final)
	if closeReq || w.req.close || c.srv.inShutdown.Load() || !c.bodyKeepable() {
		c.closeAfter = true
	}
	switch {
	case c.closeAfter:
		b = append(b, "Connection: close\r\n"...)
	case w.req.ProtoMinor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	c.wbuf = append(b, "\r\n"...)
}

// appendFields appends the handler's header fields but those the core
// writes itself (framing and Connection), and reports what it saw: a Date,
// a Server, a Connection: close.
func (w *ResponseWriter) appendFields(b []byte) (_ []byte, hasDate, hasServer, closeReq bool) {
	for i := 0; i < w.header.n; i++ {
		f := &w.header.fields[i]
		switch len(f.name) {
		case 4:
			hasDate = hasDate || EqualFold(f.name, "date")
		case 6:
			hasServer = hasServer || EqualFold(f.name, "server")
		case 10:
			if EqualFold(f.name, "connection") {
				closeReq = closeReq || hasToken(f.value, "close")
				continue // the core decides; see commit
			}
		case 14:
			if EqualFold(f.name, "content-length") {
				if n, ok := parseDigits(f.value); ok && w.declared < 0 {
					w.declared = n
				}
				continue
			}
		case 17:
			if EqualFold(f.name, "transfer-encoding") {
				continue // framing is the core's job
			}
		}
		b = append(b, f.name...)
		b = append(b, ": "...)
		b = append(b, f.value...)
		b = append(b, "\r\n"...)
	}
	return b, hasDate, hasServer, closeReq
}

// appendFraming appends Content-Length or Transfer-Encoding (RFC 9112,
// section 6), or marks an HTTP/1.0 stream to end with the connection. 1xx
// and 204 never carry a length; 304 and HEAD carry the length of the
// representation when it is known.
func (w *ResponseWriter) appendFraming(b []byte, final bool) []byte {
	length := w.declared
	if length < 0 && final && (w.written > 0 || !w.noBody) {
		// The handler returned: all it wrote is the body (for HEAD, what
		// GET would have sent; when HEAD wrote nothing the length is unknown).
		length = w.written
	}
	switch {
	case w.status < 200 || w.status == 204:
	case length >= 0 && (w.status != 304 || w.declared >= 0):
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, length, 10)
		b = append(b, "\r\n"...)
	case w.noBody:
	case w.req.ProtoMinor >= 1:
		w.chunked = true
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	default:
		w.c.closeAfter = true // HTTP/1.0 stream: the end is the close
	}
	return b
}

// bodyKeepable reports whether what is left of the request body can be
// skipped cheaply enough to keep the connection open.
func (c *conn) bodyKeepable() bool {
	b := &c.body
	switch {
	case b.err == nil:
	case b.err == errBodyTooLarge || StatusOf(b.err) != 0:
		return false
	default:
		return true
	}
	if !b.continued {
		return false // the client holds its body back waiting for 100
	}
	return b.chunked || b.left <= discardLimit
}

// writeError sets an error response: status, a short text body, close.
func (w *ResponseWriter) writeError(status int, reason string) {
	w.c.closeAfter = true
	w.status = status
	w.header.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteString(strconv.Itoa(status))
	w.WriteString(" ")
	w.WriteString(StatusText(status))
	if reason != "" {
		w.WriteString(": ")
		w.WriteString(reason)
	}
	w.WriteString("\n")
}

// hasToken reports whether the comma-separated list v holds token (any case).
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var item []byte
		item, v = NextListItem(v)
		if EqualFold(item, token) {
			return true
		}
	}
	return false
}

func parseDigits(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// sendfileChunk bounds one sendfile call, so that the write timeout applies
// to progress rather than to a whole large file.
const sendfileChunk = 4 << 20

// SendFile sends n bytes of f, from offset, as the whole body. The response
// is committed with Content-Length n (the caller sets the other headers
// first); on a TCP connection the bytes go through sendfile(2), never
// through user space. For HEAD, 304 and the like only the header is sent.
func (w *ResponseWriter) SendFile(f *os.File, offset, n int64) error {
	if w.committed || len(w.body) > 0 {
		return errors.New("httpcore: SendFile after body bytes were written")
	}
	w.declared = n
	w.written = n
	w.commit(false)
	if w.noBody {
		return nil
	}
	c := w.c
	c.more.flush(c)
	if c.werr != nil {
		return c.werr
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		c.closeAfter = true
		return err
	}
	lr := &io.LimitedReader{R: f, N: n}
	for lr.N > 0 {
		c.armWrite(c.srv.cfg.writeTO)
		chunk := min(lr.N, sendfileChunk)
		rest := lr.N - chunk
		lr.N = chunk
		var err error
		if rf, ok := c.rwc.(io.ReaderFrom); ok {
			_, err = rf.ReadFrom(lr) // *net.TCPConn: sendfile
		} else {
			_, err = io.Copy(c.rwc, lr)
		}
		if err == nil && lr.N > 0 {
			err = io.ErrUnexpectedEOF // the file shrank under us
		}
		lr.N += rest
		if err != nil {
			c.writeFailed(err)
			return err
		}
	}
	return nil
}
