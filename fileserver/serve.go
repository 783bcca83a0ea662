package fileserver

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// rep is the representation chosen for one response: the file itself or
// one of its encoded forms.
type rep struct {
	src     *entry  // where the bytes and validators come from (the file, or a sibling)
	file    fs.File // open file when the bytes are not in memory
	data    []byte  // the bytes when in memory
	size    int64   // of the body (unknown when stream)
	etag    string
	ctype   string // the file's type (a sibling's too)
	coding  string // Content-Encoding; "" for the file as stored
	stream  bool   // gzip file on the fly
	ownFile bool   // file was opened for this rep (a sibling) and must be closed
}

// serve answers with entry e: preconditions, content coding, ranges, then
// the body. file, when not nil, is open on e's file and is closed here.
func (d *Dir) serve(w *httpcore.ResponseWriter, r *httpcore.Request, f *fields, e *entry, file fs.File, fo *FileOptions) error {
	if file != nil {
		defer file.Close()
	}
	hw := headerWriter{h: w.Header()}
	hw.fresh = hw.h.Len() == 0
	plain := fo != nil && fo.Status != 0 && fo.Status != 200

	rp, vary := d.negotiate(f, e, file, plain)
	if rp.ownFile {
		defer rp.file.Close()
	}
	modTime := rp.src.modTime
	if !plain {
		switch f.evaluate(&r.Header, rp.etag, modTime) {
		case notModified:
			// RFC 9110, section 15.4.5: the fields a 200 would have sent
			// that guide caches, and no representation metadata.
			w.WriteHeader(304)
			hw.set("ETag", rp.etag)
			d.cacheHeaders(hw, fo, vary)
			return nil
		case preconditionFailed:
			writeError(w, hw, 412)
			return nil
		}
	}

	// Ranges apply to the file as stored; negotiate never encodes a
	// request that has a Range field.
	var ranges []byteRange
	if !plain && f.has&hasRange != 0 && rp.coding == "" &&
		(f.has&hasIfRange == 0 || ifRangeAllows(f.ifRange, rp.etag, modTime)) {
		var scratch [4]byteRange
		var res rangeResult
		ranges, res = parseRange(f.rng, rp.src.size, scratch[:0])
		if res == rangeUnsatisfiable {
			var buf [40]byte
			b := append(buf[:0], "bytes */"...)
			hw.setBytes("Content-Range", strconv.AppendInt(b, rp.src.size, 10))
			writeError(w, hw, 416)
			return nil
		}
	}
	if plain {
		w.WriteHeader(fo.Status)
	}
	ctype := d.fileHeaders(hw, rp, fo, vary)
	return d.sendBody(w, hw, rp, ctype, ranges, string(r.Method) == "HEAD")
}

// fileHeaders sets the headers every file response carries and returns the
// Content-Type (set here unless the body will be multipart).
func (d *Dir) fileHeaders(hw headerWriter, rp rep, fo *FileOptions, vary bool) string {
	ctype := rp.ctype
	if fo != nil && fo.ContentType != "" {
		ctype = fo.ContentType
	}
	if !hw.fresh && hw.h.Has("Content-Type") {
		ctype = string(hw.h.Get("Content-Type")) // the route's own
	}
	hw.setDefault("Content-Type", ctype)
	if rp.src.lastMod != "" {
		hw.set("Last-Modified", rp.src.lastMod)
	}
	hw.set("ETag", rp.etag)
	hw.set("Accept-Ranges", "bytes")
	d.cacheHeaders(hw, fo, vary)
	if rp.coding != "" {
		hw.set("Content-Encoding", rp.coding)
	}
	if fo != nil && fo.Download != "" {
		hw.set("Content-Disposition", ContentDisposition(fo.Download))
	}
	return ctype
}

// sendBody sends the whole representation, one range of it, or several
// as multipart/byteranges (RFC 9110, section 14.6); for HEAD only their
// length.
func (d *Dir) sendBody(w *httpcore.ResponseWriter, hw headerWriter, rp rep, ctype string, ranges []byteRange, head bool) error {
	switch {
	case len(ranges) == 1:
		w.WriteHeader(206)
		var buf [64]byte
		hw.setBytes("Content-Range", appendContentRange(buf[:0], ranges[0], rp.src.size))
		return d.sendRange(w, rp, ranges[0].start, ranges[0].length, head)
	case len(ranges) > 1:
		w.WriteHeader(206)
		mp := newMultipart(newBoundary(), ctype, ranges, rp.src.size)
		hw.h.Del("Content-Type")
		hw.h.Add("Content-Type", "multipart/byteranges; boundary="+mp.boundary)
		w.SetContentLength(mp.length)
		if head {
			return nil
		}
		for i, br := range ranges {
			if _, err := w.Write(mp.heads[i]); err != nil {
				return nil // the core closes the connection
			}
			if err := d.sendSection(w, rp, br.start, br.length); err != nil {
				return err
			}
		}
		w.Write(mp.tail)
		return nil
	case rp.stream:
		if head {
			return nil // the length is not known without compressing
		}
		return streamGzip(w, rp.file)
	}
	return d.sendRange(w, rp, 0, rp.size, head)
}

// negotiate picks the content coding: a precompressed sibling (br, then
// gzip, in the client's order of preference), gzip on the fly for a
// compressible type, or the file as stored. It also reports whether the
// choice depends on Accept-Encoding (Vary). A request with a Range field,
// or with a forced status, always gets the file as stored.
func (d *Dir) negotiate(f *fields, e *entry, file fs.File, plain bool) (rep, bool) {
	rp := rep{src: e, file: file, data: e.data, size: e.size, etag: e.etag, ctype: e.ctype}
	if !d.opts.Compress {
		return rp, false
	}
	sib := d.siblings(e)
	vary := e.compress || sib.br || sib.gz
	if !vary || f.has&hasAcceptEnc == 0 || f.has&hasRange != 0 || plain {
		return rp, vary
	}
	best, second := acceptedCodings(f.acceptEnc)
	for _, c := range [2]int{best, second} {
		if c == codingBrotli && sib.br {
			if s, ok := d.sibling(sib.brName, "br", e.ctype); ok {
				return s, vary
			}
		}
		if c == codingGzip && sib.gz {
			if s, ok := d.sibling(sib.gzName, "gzip", e.ctype); ok {
				return s, vary
			}
		}
		if c == codingGzip && e.compress {
			if e.data == nil {
				rp.coding, rp.stream, rp.etag = "gzip", true, e.weakETag
				return rp, vary
			}
			if gz := e.gzipped(d.cache); gz != nil {
				rp.coding, rp.data, rp.size, rp.etag = "gzip", gz, int64(len(gz)), e.weakETag
				return rp, vary
			}
		}
	}
	return rp, vary
}

// sibling opens a precompressed form of a file.
func (d *Dir) sibling(name []byte, coding, ctype string) (rep, bool) {
	s, file, err := d.open(name)
	if err != nil {
		return rep{}, false
	}
	return rep{src: s, file: file, data: s.data, size: s.size, etag: s.etag, ctype: ctype, coding: coding, ownFile: file != nil}, true
}

// siblings returns which precompressed forms of e exist, checking at most
// once per siblingTTL. A sibling counts only when it is a regular file at
// least as new as e: a stale .gz left behind by an edit is ignored.
func (d *Dir) siblings(e *entry) *siblings {
	t := time.Now().UnixNano()
	if s := e.sib.Load(); s != nil && t-s.checked < int64(siblingTTL) {
		return s
	}
	s := &siblings{checked: t, brName: []byte(e.name + ".br"), gzName: []byte(e.name + ".gz")}
	s.br = d.siblingOK(string(s.brName), e)
	s.gz = d.siblingOK(string(s.gzName), e)
	e.sib.Store(s)
	return s
}

func (d *Dir) siblingOK(name string, e *entry) bool {
	if _, ok := checkName(name, d.opts.Dotfiles); !ok {
		return false
	}
	var fi fs.FileInfo
	var err error
	if d.fsys != nil {
		fi, err = fs.Stat(d.fsys, name)
	} else {
		fi, err = d.root.Stat(name)
	}
	return err == nil && fi.Mode().IsRegular() && !fi.ModTime().Before(e.modTime)
}

// cacheHeaders sets Cache-Control and Vary.
func (d *Dir) cacheHeaders(hw headerWriter, fo *FileOptions, vary bool) {
	cc := d.opts.CacheControl
	if fo != nil && fo.CacheControl != "" {
		cc = fo.CacheControl
	}
	if cc != "" {
		hw.setDefault("Cache-Control", cc)
	}
	if vary {
		hw.set("Vary", "Accept-Encoding")
	}
}

// sendRange sends n bytes from off as the whole body; for HEAD only the
// length.
func (d *Dir) sendRange(w *httpcore.ResponseWriter, rp rep, off, n int64, head bool) error {
	if head {
		w.SetContentLength(n)
		return nil
	}
	if rp.data != nil {
		w.SetContentLength(n)
		w.Write(rp.data[off : off+n])
		return nil
	}
	if f, ok := rp.file.(*os.File); ok && n > userCopyMax {
		// sendfile(2). Its errors, reading or writing, have already made
		// the core close the connection after this response.
		w.SendFile(f, off, n)
		return nil
	}
	w.SetContentLength(n)
	return d.sendSection(w, rp, off, n)
}

// userCopyMax is the largest body sent through user space (pread into a
// pooled buffer) rather than with sendfile(2). It is zero: since
// httpcore's SendFile sends the header with MSG_MORE, so that it leaves in
// one segment with the file's first bytes, sendfile matches the copy on a
// 1 MiB file (../shared/bench static1m, side by side: 4190 req/s with
// sendfile, 4486 copying, nginx 2748 and 2885) and spares the copy. Before
// that, the header went out alone and sendfile ran at 0.85x nginx.
const userCopyMax = 0

// sendSection writes n bytes from off through user space.
func (d *Dir) sendSection(w *httpcore.ResponseWriter, rp rep, off, n int64) error {
	if rp.data != nil {
		w.Write(rp.data[off : off+n])
		return nil
	}
	if ra, ok := rp.file.(io.ReaderAt); ok {
		return copyAt(w, ra, off, n)
	}
	src, err := section(rp.file, off, n)
	if err != nil {
		return err
	}
	return copyBody(w, src, n)
}

// copyAt copies n bytes of ra from off to w with pread, which leaves the
// file's offset alone. Errors are as for copyBody.
func copyAt(w io.Writer, ra io.ReaderAt, off, n int64) error {
	buf := copyBufPool.Get().(*[32 << 10]byte)
	defer copyBufPool.Put(buf)
	for n > 0 {
		m, err := ra.ReadAt(buf[:min(n, int64(len(buf)))], off)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return nil
			}
			n -= int64(m)
			off += int64(m)
		}
		if err != nil && n > 0 {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the file shrank
			}
			return fmt.Errorf("fileserver: read: %w", err)
		}
	}
	return nil
}

// section returns a reader of n bytes of f (which has no ReadAt) from off.
func section(f fs.File, off, n int64) (io.Reader, error) {
	switch f := f.(type) {
	case io.Seeker:
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, fmt.Errorf("fileserver: seek: %w", err)
		}
	default:
		if _, err := io.CopyN(io.Discard, f, off); err != nil {
			return nil, fmt.Errorf("fileserver: skip: %w", err)
		}
	}
	return io.LimitReader(f, n), nil
}

var copyBufPool = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// copyBody copies n bytes from src to w. A read failure is returned (the
// response is then short: the caller must abandon the connection); a
// write failure has already made the core close it, so it returns nil.
func copyBody(w io.Writer, src io.Reader, n int64) error {
	buf := copyBufPool.Get().(*[32 << 10]byte)
	defer copyBufPool.Put(buf)
	for n > 0 {
		m, err := src.Read(buf[:min(n, int64(len(buf)))])
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return nil
			}
			n -= int64(m)
		}
		if err != nil && n > 0 {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the file shrank
			}
			return fmt.Errorf("fileserver: read: %w", err)
		}
	}
	return nil
}

// streamGzip sends the whole file gzipped, chunked (its length is unknown
// until the end).
func streamGzip(w *httpcore.ResponseWriter, f fs.File) error {
	zw := streamGzipPool.Get().(*gzip.Writer)
	defer streamGzipPool.Put(zw)
	ew := &errWriter{w: w}
	zw.Reset(ew)
	buf := copyBufPool.Get().(*[32 << 10]byte)
	defer copyBufPool.Put(buf)
	for {
		n, err := f.Read(buf[:])
		if n > 0 {
			zw.Write(buf[:n])
			if ew.err != nil {
				return nil // the core closes the connection
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("fileserver: read: %w", err)
		}
	}
	zw.Close()
	zw.Reset(io.Discard) // do not keep the response writer alive in the pool
	return nil
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeError answers a precondition or range failure with a short text.
func writeError(w *httpcore.ResponseWriter, hw headerWriter, status int) {
	w.WriteHeader(status)
	hw.set("Content-Type", "text/plain; charset=utf-8")
	msg := strconv.Itoa(status) + " " + httpcore.StatusText(status) + "\n"
	w.SetContentLength(int64(len(msg)))
	w.WriteString(msg)
}

// newBoundary returns a fresh multipart boundary: random, so that no file
// can contain it by design.
func newBoundary() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// headerWriter sets response fields. A fresh header (a mount's response)
// is appended to; otherwise (a route's file response, whose headers table
// came first) fields are replaced, and the route's own Content-Type and
// Cache-Control win.
type headerWriter struct {
	h     *httpcore.Header
	fresh bool
}

func (hw headerWriter) set(name, value string) {
	if hw.fresh {
		hw.h.Add(name, value)
	} else {
		hw.h.Set(name, value)
	}
}

func (hw headerWriter) setBytes(name string, value []byte) {
	if !hw.fresh {
		hw.h.Del(name)
	}
	hw.h.AddBytes(fieldName(name), value)
}

// setDefault sets a field the route may have set already.
func (hw headerWriter) setDefault(name, value string) {
	if hw.fresh || !hw.h.Has(name) {
		hw.h.Add(name, value)
	}
}

var contentRange = []byte("Content-Range")

// fieldName returns name as bytes for AddBytes without allocating for the
// one name used with it.
func fieldName(name string) []byte {
	if name == "Content-Range" {
		return contentRange
	}
	return []byte(name)
}
