package httpcore

import (
	"bytes"
	"io"
	"time"
)

// Chunked decoding states (RFC 9112, section 7.1).
const (
	chunkSize    = iota // expecting a chunk-size line
	chunkData           // inside chunk data
	chunkDataEnd        // expecting the CRLF after chunk data
	chunkTrailer        // inside the trailer section
	chunkDone
)

// maxChunkLine bounds a chunk-size line with its extensions.
const maxChunkLine = 4 << 10

// body reads the current request's body from the connection: a fixed
// Content-Length or chunked coding, under the server's size limit.
type body struct {
	c         *conn
	chunked   bool
	left      int64 // Content-Length: bytes left; chunked: bytes left in chunk
	state     int
	total     int64 // bytes delivered so far
	trailer   int   // trailer bytes seen
	err       error // sticky: io.EOF at the end, or the failure
	continued bool  // 100 Continue sent, or not needed
	stored    bool  // ReceiveBody holds the rest: reads come from c.stored
}

func (b *body) reset() {
	b.chunked, b.left, b.state, b.total, b.trailer = false, 0, chunkSize, 0, 0
	b.err, b.continued, b.stored = nil, false, false
}

// startBody sets up the body reader once the head is parsed. An announced
// body over the limit is refused before any of it is read: the body fails
// at once with ErrBodyTooLarge, and the connection answers 413 and closes
// after the handler ran (which may answer the 413 in its own words, see
// serveRequest).
func (c *conn) startBody() error {
	r, b := &c.req, &c.body
	switch {
	case r.ContentLength > c.srv.cfg.maxBody:
		b.err = errBodyTooLarge
	case r.ContentLength < 0:
		b.chunked = true
	case r.ContentLength == 0:
		b.err = io.EOF
	default:
		b.left = r.ContentLength
	}
	// A client that already sent body bytes is not waiting for 100 Continue.
	b.continued = !r.expectContinue || c.r < c.w
	return nil
}

// done reports whether the body was read to its end.
func (b *body) done() bool { return b.err == io.EOF }

// Read implements io.Reader over the request body.
func (b *body) Read(p []byte) (int, error) {
	if b.stored {
		return b.c.stored.read(p)
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !b.continued {
		b.c.sendContinue()
		b.continued = true
	}
	var n int
	var err error
	if b.chunked {
		n, err = b.readChunked(p)
	} else {
		n, err = b.readFixed(p)
	}
	b.total += int64(n)
	if b.total > b.c.srv.cfg.maxBody {
		n, err = 0, errBodyTooLarge
	}
	if err != nil {
		b.err = err
		if err == io.EOF {
			b.c.watchClient() // the input is no longer the body's
		}
	}
	return n, err
}

func (b *body) readFixed(p []byte) (int, error) {
	c := b.c
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	var n int
	if c.r < c.w {
		n = copy(p, c.buf[c.r:c.w])
		c.r += n
	} else if len(p) >= readBufSize {
		// Large reads bypass the buffer.
		var err error
		c.armBody()
		n, err = c.rwc.Read(p)
		if n == 0 {
			return 0, bodyReadErr(err)
		}
	} else {
		c.armBody()
		if err := c.fill(readBufSize); err != nil {
			return 0, bodyReadErr(err)
		}
		n = copy(p, c.buf[c.r:c.w])
		c.r += n
	}
	b.left -= int64(n)
	if b.left == 0 {
		return n, io.EOF
	}
	return n, nil
}

// armBody arms the read deadline of a body read: BodyReadTimeout from now,
// and no later than the whole-body deadline while ReceiveBody runs (a
// passed one times the read out at once).
func (c *conn) armBody() {
	now := time.Now()
	d := c.srv.cfg.bodyTO
	if !c.bodyDL.IsZero() {
		if left := c.bodyDL.Sub(now); d <= 0 || left < d {
			d = max(left, 1)
		}
	}
	c.armReadFrom(now, d)
}

// bodyReadErr maps a socket error inside a body: the request is incomplete.
func bodyReadErr(err error) error {
	if isTimeout(err) {
		return &ParseError{408, "request body timeout"}
	}
	return errTruncatedBody
}

// readChunked decodes the chunked coding (RFC 9112, section 7.1): it steps
// through the framing until it has chunk data to return, or the end.
func (b *body) readChunked(p []byte) (int, error) {
	for {
		var err error
		switch b.state {
		case chunkSize:
			err = b.readChunkSize()
		case chunkData:
			return b.readChunkData(p)
		case chunkDataEnd:
			if line, lerr := b.line(2); lerr != nil || len(line) != 0 {
				return 0, errBadChunk
			}
			b.state = chunkSize
		case chunkTrailer:
			err = b.readTrailerLine()
		default:
			return 0, io.EOF
		}
		if err != nil {
			return 0, err
		}
	}
}

// readChunkSize reads a chunk-size line; size 0 starts the trailer section.
func (b *body) readChunkSize() error {
	line, err := b.line(maxChunkLine)
	if err != nil {
		return err
	}
	size, err := parseChunkSize(line)
	if err != nil {
		return err
	}
	if size == 0 {
		b.state = chunkTrailer
	} else {
		b.left, b.state = size, chunkData
	}
	return nil
}

// readChunkData copies buffered chunk data into p, reading first when
// nothing is buffered.
func (b *body) readChunkData(p []byte) (int, error) {
	c := b.c
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	if c.r == c.w {
		c.armBody()
		if err := c.fill(readBufSize); err != nil {
			return 0, bodyReadErr(err)
		}
	}
	n := copy(p, c.buf[c.r:c.w])
	c.r += n
	b.left -= int64(n)
	if b.left == 0 {
		b.state = chunkDataEnd
	}
	return n, nil
}

// readTrailerLine reads and checks one trailer field line, under the
// header size limit; the empty line ends the body (chunkDone).
func (b *body) readTrailerLine() error {
	limit := b.c.srv.cfg.maxHeader
	line, err := b.line(limit)
	if err != nil {
		return err
	}
	if len(line) == 0 {
		b.state = chunkDone
		return nil
	}
	b.trailer += len(line) + 2
	if b.trailer > limit {
		return errTrailerTooLarge
	}
	return checkTrailerField(line)
}

// line returns the next CRLF-terminated line without its CRLF. Chunked
// framing is where smuggling hides, so a bare LF or CR is refused here.
func (b *body) line(max int) ([]byte, error) {
	c := b.c
	for {
		if i := bytes.IndexByte(c.buf[c.r:c.w], '\n'); i >= 0 {
			if i > max+1 {
				return nil, b.lineTooLong()
			}
			line := c.buf[c.r : c.r+i]
			c.r += i + 1
			if len(line) == 0 || line[len(line)-1] != '\r' {
				return nil, errBadChunk
			}
			line = line[:len(line)-1]
			if bytes.IndexByte(line, '\r') >= 0 {
				return nil, errBadChunk
			}
			return line, nil
		}
		if c.w-c.r > max+1 {
			return nil, b.lineTooLong()
		}
		c.armBody()
		if err := c.fill(max + 2); err != nil {
			return nil, bodyReadErr(err)
		}
	}
}

func (b *body) lineTooLong() error {
	if b.state == chunkTrailer {
		return errTrailerTooLarge
	}
	return errBadChunk
}

// parseChunkSize parses "1*HEXDIG *( BWS ; chunk-ext )". Sizes past 2^60
// are refused before they can overflow.
func parseChunkSize(line []byte) (int64, error) {
	var n int64
	i := 0
	for ; i < len(line); i++ {
		d := unhex(line[i])
		if d < 0 {
			break
		}
		if n >= 1<<56 {
			return 0, errChunkTooLarge
		}
		n = n<<4 | int64(d)
	}
	if i == 0 {
		return 0, errBadChunk
	}
	rest := line[i:]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return n, nil
	}
	if rest[0] != ';' {
		return 0, errBadChunk
	}
	// Extensions are ignored, but must not carry control characters.
	for _, c := range rest {
		if !isValueChar[c] {
			return 0, errBadChunk
		}
	}
	return n, nil
}

// checkTrailerField validates a trailer line like a header field line.
// Trailer fields are then discarded (RFC 9112, section 7.1.2 allows it).
func checkTrailerField(line []byte) error {
	if line[0] == ' ' || line[0] == '\t' {
		return errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return errBadHeaderName
	}
	for _, c := range line[:colon] {
		if !isTokenChar[c] {
			return errBadHeaderName
		}
	}
	_, err := trimValue(line[colon+1:])
	return err
}

// sendContinue answers Expect: 100-continue when the handler first reads
// the body (RFC 9110, section 10.1.1), after any pending responses.
func (c *conn) sendContinue() {
	c.ensureWriteBuf()
	c.wbuf = append(c.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
	c.flush()
}

// readBody returns the rest of the body as one slice (see Request.ReadBody).
func (c *conn) readBody() ([]byte, error) {
	b := &c.body
	if b.stored {
		return c.stored.rest()
	}
	if b.err == io.EOF {
		return nil, nil
	}
	if p, ok := c.takeBuffered(); ok {
		return p, nil
	}
	c.startBodyDeadline()
	defer c.endBodyDeadline()
	buf := c.bodyBuf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = growBody(buf, b, 1<<62)
		}
		n, err := b.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		c.extendBodyDeadline()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	c.keepBodyBuf(buf)
	return buf, nil
}

// takeBuffered hands out the rest of a Content-Length body when the read
// buffer holds all of it: the buffer itself, no copy.
func (c *conn) takeBuffered() ([]byte, bool) {
	b := &c.body
	if b.chunked || b.err != nil || int64(c.w-c.r) < b.left {
		return nil, false
	}
	p := c.buf[c.r : c.r+int(b.left)]
	c.r += len(p)
	b.total, b.left, b.err = b.total+int64(len(p)), 0, io.EOF
	c.watchClient()
	return p, true
}

// keepBodyBuf is the largest whole-body buffer a connection keeps for its
// next request. A larger one is dropped with its request, so that a burst
// of large bodies does not leave every connection holding one.
const keepBodyBuf = 64 << 10

func (c *conn) keepBodyBuf(buf []byte) {
	if cap(buf) <= keepBodyBuf {
		c.bodyBuf = buf[:0]
	}
}

// growBody returns buf with room for more of b's bytes: twice the room,
// at least keepBodyBuf, never more than a Content-Length has left nor than
// limit. It grows with what arrives: a declared length is not allocated
// before its bytes come (a client could declare MaxBodyBytes and send
// nothing).
func growBody(buf []byte, b *body, limit int64) []byte {
	want := max(2*int64(cap(buf)), keepBodyBuf)
	if !b.chunked {
		want = min(want, int64(len(buf))+b.left)
	}
	want = max(min(want, limit), int64(len(buf))+1)
	nb := make([]byte, len(buf), want)
	copy(nb, buf)
	return nb
}

// discardBody reads and drops what the handler left unread, so that the
// connection can carry the next request; past discardLimit it closes instead.
func (c *conn) discardBody() {
	b := &c.body
	if !b.continued {
		// The client is still waiting for 100 Continue: it has sent no body.
		c.closeAfter = true
		return
	}
	c.startBodyDeadline()
	defer c.endBodyDeadline()
	var scratch [512]byte
	for limit := b.total + discardLimit; b.err == nil; {
		if b.total > limit {
			c.closeAfter = true
			return
		}
		b.Read(scratch[:])
		c.extendBodyDeadline()
	}
	if b.err != io.EOF {
		c.closeAfter = true // serveRequest decides on lingering
	}
}
