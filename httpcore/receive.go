package httpcore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// ReceiveBody reads the whole request body now, so that reading it later
// (Body, ReadBody) does not touch the connection: into memory up to the
// server's BodyMemory, past it into a temporary file removed when the
// request ends. The body must keep arriving, however it trickles: the
// server waits until the server's BodyTimeout plus one second per
// MinBodyRate bytes received so far, counted from the call. So a
// Content-Length body is due BodyTimeout plus a second per MinBodyRate
// bytes declared at the latest, and a client that sends a burst and then
// stalls is cut off once the burst's time is spent. Past that, or past
// MaxBodyBytes, it returns the *ParseError the connection answers with
// (408, 413, 400). Calling it again returns the first result.
//
// What ReceiveBody reads is the rest of the body: all of it, unless the
// handler has read some through Body already. A temporary file that cannot
// be written is a 500 (the cause goes to the ErrorLog). After an error
// Body returns the same error.
func (r *Request) ReceiveBody() error {
	if r.c == nil {
		return nil
	}
	return r.c.receiveBody()
}

// storedBody is what ReceiveBody read off the connection: in memory or in a
// temporary file. Body reads and ReadBody then take it from here.
type storedBody struct {
	done bool // ReceiveBody ran; err is its result
	err  error
	mem  []byte   // the body in memory (nil when in file)
	file *os.File // the body in a temporary file
	size int64    // of the file's body
	off  int64    // what Body and ReadBody have taken so far
}

// errStoreBody answers a body that could not be put in its temporary file.
var errStoreBody = &ParseError{500, "request body could not be stored"}

// receiveBody is ReceiveBody. Its result is the body's own state: io.EOF
// once it is all read, or the failure, which body.err keeps.
func (c *conn) receiveBody() error {
	s, b := &c.stored, &c.body
	if s.done {
		return s.err
	}
	if b.err == nil {
		c.startBodyDeadline()
		if err := c.spool(); err != nil {
			c.releaseStored()
		}
		c.endBodyDeadline()
	}
	s.done = true
	if b.err != io.EOF {
		s.err = b.err
		return s.err
	}
	b.stored = true
	return nil
}

// spool reads the rest of the body into memory, or into a file once it
// outgrows BodyMemory (at once when a Content-Length says it will).
func (c *conn) spool() error {
	b, s := &c.body, &c.stored
	if p, ok := c.takeBuffered(); ok {
		s.mem = p
		return nil
	}
	limit := c.srv.cfg.bodyMem
	if !b.chunked && b.left > limit {
		return c.spoolFile(nil, nil)
	}
	mem := c.bodyBuf[:0]
	for {
		if len(mem) == cap(mem) && int64(len(mem)) >= limit {
			// Full. A chunked body may end right here: only one more
			// byte tells memory from a file.
			var probe [1]byte
			n, err := b.Read(probe[:])
			if n > 0 {
				return c.spoolFile(mem, probe[:n])
			}
			if err == io.EOF {
				break
			}
			return err
		}
		if len(mem) == cap(mem) {
			mem = growBody(mem, b, limit)
		}
		n, err := b.Read(mem[len(mem):cap(mem)])
		mem = mem[:len(mem)+n]
		c.extendBodyDeadline()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	c.keepBodyBuf(mem)
	s.mem = mem
	return nil
}

// spoolFile goes on with the body in a temporary file, which starts with
// mem and then more.
func (c *conn) spoolFile(mem, more []byte) error {
	b, s := &c.body, &c.stored
	f, err := os.CreateTemp(c.srv.cfg.tempDir, "luaserve-body-*")
	if err != nil {
		return c.storeFailed(err)
	}
	s.file = f
	if _, err := f.Write(mem); err != nil {
		return c.storeFailed(err)
	}
	if _, err := f.Write(more); err != nil {
		return c.storeFailed(err)
	}
	s.size = int64(len(mem) + len(more))
	c.keepBodyBuf(mem)
	buf := largeBodyPool.Get().(*[maxBuffered]byte)
	defer largeBodyPool.Put(buf)
	chunks := 0
	for {
		n, rerr := b.Read(buf[:])
		if _, err := f.Write(buf[:n]); err != nil {
			return c.storeFailed(err)
		}
		s.size += int64(n)
		c.extendBodyDeadline()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
		if chunks++; chunks%yieldChunks == 0 {
			spoolYields.Add(1)
			runtime.Gosched() // see yieldChunks
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return c.storeFailed(err)
	}
	return nil
}

// yieldChunks is how many chunks (of maxBuffered, 64 KiB) spoolFile
// copies to the file between two yields of the CPU. A fast upload always
// has its next chunk waiting, so it kept the CPU for a whole time slice
// (10 ms) and short requests queued behind every upload in turn: beside
// ten uploads on one CPU a hello route's median went from 0.3 ms to 40-60
// ms. A yield is not cheap for the upload: Go puts the goroutine on the
// global run queue, which a busy processor visits seldom, so yielding
// after every chunk, or every 4, starved the uploads themselves on a busy
// server (0 of 50 done in a minute of the soak on one CPU, against 314).
// Every MiB (a few ms of copying) halves the short requests' wait and
// keeps most uploads going; see docs/BENCHMARKS.md (the soak).
const yieldChunks = 16

// spoolYields counts those yields, for the test that holds them.
var spoolYields atomic.Int64

// storeFailed logs why the temporary file failed and answers 500.
func (c *conn) storeFailed(err error) error {
	c.srv.cfg.log.Error("httpcore: storing a request body", "remote", c.req.RemoteAddr, "err", err)
	c.body.err = errStoreBody
	return errStoreBody
}

// startBodyDeadline starts the whole-body deadline for the rest of the
// body, which ReceiveBody, ReadBody or the core's discard is about to read
// in one go: body reads then time out at it (armBody).
func (c *conn) startBodyDeadline() {
	c.bodyStart = time.Now()
	c.setBodyDeadline(c.body.total)
}

func (c *conn) endBodyDeadline() { c.bodyDL = time.Time{} }

// setBodyDeadline sets the whole-body deadline for n bytes received:
// BodyTimeout plus one second per MinBodyRate bytes, from
// startBodyDeadline. Time is earned by bytes received, not declared: a
// client that declared 10 MiB and sends a byte now and then would
// otherwise hold its connection for BodyTimeout plus ten minutes.
func (c *conn) setBodyDeadline(n int64) {
	cfg := &c.srv.cfg
	if cfg.bodyTotal < 0 || cfg.minRate < 0 {
		return // no whole-body deadline
	}
	secs := float64(n) / float64(cfg.minRate)
	d := time.Duration(min(secs, 1e9) * float64(time.Second))
	c.bodyDL = c.bodyStart.Add(cfg.bodyTotal + d)
}

// extendBodyDeadline moves the deadline on by what arrived.
func (c *conn) extendBodyDeadline() {
	if !c.bodyDL.IsZero() {
		c.setBodyDeadline(c.body.total)
	}
}

// read is Body's Read once ReceiveBody has stored the body.
func (s *storedBody) read(p []byte) (int, error) {
	if s.file == nil {
		if s.off >= int64(len(s.mem)) {
			return 0, io.EOF
		}
		n := copy(p, s.mem[s.off:])
		s.off += int64(n)
		return n, nil
	}
	n, err := s.file.Read(p)
	s.off += int64(n)
	return n, err
}

// rest is ReadBody once ReceiveBody has stored the body: the memory itself,
// or the rest of the file read into a new slice.
func (s *storedBody) rest() ([]byte, error) {
	if s.file == nil {
		p := s.mem[min(s.off, int64(len(s.mem))):]
		s.off = int64(len(s.mem))
		return p, nil
	}
	p := make([]byte, s.size-s.off)
	n, err := io.ReadFull(s.file, p)
	s.off += int64(n)
	if err != nil {
		return nil, fmt.Errorf("read stored request body: %w", err)
	}
	return p, nil
}

// releaseStored removes the temporary file and lets go of the memory; it
// runs when the handler has returned, and when the connection ends.
func (c *conn) releaseStored() {
	s := &c.stored
	if s.file != nil {
		name := s.file.Name()
		err := errors.Join(s.file.Close(), os.Remove(name))
		if err != nil {
			c.srv.cfg.log.Error("httpcore: removing a stored request body", "file", name, "err", err)
		}
	}
	*s = storedBody{}
	c.body.stored = false
}

// StoredBody gives the body ReceiveBody stored, from its start however
// much of it Body or ReadBody has taken: memory or the temporary file, as
// an io.ReaderAt, and its size. ok is false unless ReceiveBody succeeded.
// Like the Request, it is valid only until the handler returns.
func (r *Request) StoredBody() (body io.ReaderAt, size int64, ok bool) {
	if r.c == nil || !r.c.stored.done || r.c.stored.err != nil {
		return nil, 0, false
	}
	s := &r.c.stored
	if s.file != nil {
		return s.file, s.size, true
	}
	return bytes.NewReader(s.mem), int64(len(s.mem)), true
}
