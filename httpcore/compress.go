package httpcore

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"sync"
)

// Compression of whole buffered bodies (Server.CompressMin): a response
// the handler finished within the 64 KiB buffer, of a text-like type, at
// least CompressMin bytes, to a client whose Accept-Encoding takes gzip,
// goes out gzipped with Vary: Accept-Encoding. Never when the handler set
// a Content-Encoding or Cache-Control: no-transform (a route's way to opt
// out), for a status other than 200, a Content-Range, or HEAD. A body
// streamed past the buffer goes out as it is.

// DefaultCompressLevel is gzip's level: nginx's default, 1, is fast; 5
// gains a few percent more on JSON for about twice the time.
const DefaultCompressLevel = gzip.BestSpeed

var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, DefaultCompressLevel)
	return zw
}}

var gzipOutPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maybeCompress gzips the buffered body in place when it should (see
// above). It runs before the final commit.
func (w *ResponseWriter) maybeCompress() {
	min := w.c.srv.CompressMin
	if min <= 0 || len(w.body) < min || int64(len(w.body)) != w.written || w.status != 200 || w.noBody {
		return
	}
	h := &w.header
	if !compressible(h.Get("Content-Type")) || h.Has("Content-Encoding") || h.Has("Content-Range") ||
		hasToken(h.Get("Cache-Control"), "no-transform") {
		return
	}
	addVary(h, "Accept-Encoding")
	if !acceptsGzip(&w.req.Header) {
		return
	}
	out := gzipOutPool.Get().(*bytes.Buffer)
	defer gzipOutPool.Put(out)
	out.Reset()
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(out)
	zw.Write(w.body)
	zw.Close()
	gzipPool.Put(zw)
	if out.Len() >= len(w.body) {
		return // incompressible: the identity body is smaller
	}
	w.body = append(w.body[:0], out.Bytes()...) // fits: it is smaller
	w.declared = int64(len(w.body))
	h.Set("Content-Encoding", "gzip")
	if etag := h.Get("ETag"); len(etag) > 0 && etag[0] == '"' {
		h.Set("ETag", "W/"+string(etag)) // another representation: no longer byte-identical
	}
}

// compressible reports whether a media type is text that gzip shrinks:
// text/*, JSON, XML, JavaScript, SVG and their +json/+xml kinds.
func compressible(ct []byte) bool {
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = bytes.TrimSpace(ct)
	switch {
	case len(ct) > 5 && EqualFold(ct[:5], "text/"):
		return true
	case EqualFold(ct, "application/json"), EqualFold(ct, "application/javascript"), EqualFold(ct, "application/xml"),
		EqualFold(ct, "image/svg+xml"), EqualFold(ct, "application/x-ndjson"):
		return true
	}
	n := len(ct)
	return n > 5 && (EqualFold(ct[n-5:], "+json") || (EqualFold(ct[n-4:], "+xml")))
}

// acceptsGzip reads Accept-Encoding (RFC 9110, section 12.5.3): gzip (or
// x-gzip), or "*" when gzip is not named, with a q above zero.
func acceptsGzip(h *Header) bool {
	star, named := false, false
	ok := false
	h.Values("Accept-Encoding", func(v []byte) {
		for len(v) > 0 {
			var item []byte
			item, v = NextListItem(v)
			coding, params, _ := bytes.Cut(item, []byte{';'})
			coding = bytes.TrimSpace(coding)
			q := qValue(params)
			switch {
			case EqualFold(coding, "gzip") || EqualFold(coding, "x-gzip"):
				named = true
				ok = ok || q
			case string(coding) == "*":
				star = star || q
			}
		}
	})
	return ok || (!named && star)
}

// qValue reports whether an item's parameters leave its weight above
// zero: no q, or q other than 0, 0.0, 0.00, 0.000.
func qValue(params []byte) bool {
	for len(params) > 0 {
		var p []byte
		p, params, _ = bytes.Cut(params, []byte{';'})
		k, v, _ := bytes.Cut(bytes.TrimSpace(p), []byte{'='})
		if !EqualFold(bytes.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
		return err == nil && f > 0
	}
	return true
}

// addVary adds a field name to Vary unless it is there (or Vary is *).
func addVary(h *Header, name string) {
	v := h.Get("Vary")
	if hasToken(v, name) || hasToken(v, "*") {
		return
	}
	if len(v) == 0 {
		h.Add("Vary", name)
		return
	}
	h.Set("Vary", string(v)+", "+name)
}
