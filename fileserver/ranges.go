package fileserver

import (
	"strconv"

	"github.com/luaserve/luaserve/httpcore"
)

// byteRange is a satisfiable range: start and length within the file.
type byteRange struct {
	start, length int64
}

// maxRanges bounds the ranges of one request; past it the Range field is
// ignored and the whole file sent (nginx's max_ranges, which is unset by
// default; many tiny ranges are a known way to make a server work hard).
const maxRanges = 32

// rangeResult is what parseRange concluded.
type rangeResult uint8

const (
	rangeIgnore        rangeResult = iota // unknown unit, or not worth it: send 200
	rangeOK                               // ranges holds one or more satisfiable ranges
	rangeUnsatisfiable                    // 416: nothing satisfiable, or a malformed set (as nginx)
)

// parseRange parses a Range value (RFC 9110, section 14.1.2) against a
// representation of size bytes, appending satisfiable ranges to dst.
// Unsatisfiable ranges in a set are dropped; if none remain, or the set is
// malformed (RFC 9110, section 14.1.1 lets a server reject it; nginx and
// Go's net/http do), the answer is 416. A set whose ranges add up to more
// than the file (overlaps) is ignored, as nginx and Go's net/http do.
func parseRange(v []byte, size int64, dst []byteRange) ([]byteRange, rangeResult) {
	if len(v) < 6 || !httpcore.EqualFold(v[:6], "bytes=") {
		return dst, rangeIgnore
	}
	v = v[6:]
	var total int64
	n := 0
	for len(v) > 0 {
		var spec []byte
		spec, v = httpcore.NextListItem(v)
		if len(spec) == 0 {
			continue // empty list elements are allowed (RFC 9110, 5.6.1)
		}
		n++
		if n > maxRanges {
			return dst[:0], rangeIgnore
		}
		r, satisfiable, ok := parseSpec(spec, size)
		if !ok {
			return dst[:0], rangeUnsatisfiable
		}
		if !satisfiable {
			continue
		}
		total += r.length
		dst = append(dst, r)
	}
	if n == 0 {
		return dst[:0], rangeUnsatisfiable // "bytes=" alone
	}
	if len(dst) == 0 {
		return dst, rangeUnsatisfiable
	}
	if total > size {
		return dst[:0], rangeIgnore
	}
	return dst, rangeOK
}

// parseSpec parses one range spec, "first-last", "first-" or "-suffix",
// against size bytes. ok is false when the spec is malformed (which makes
// the whole set unsatisfiable, last < first included); satisfiable is
// false when it is well formed but selects nothing of the file.
func parseSpec(spec []byte, size int64) (r byteRange, satisfiable, ok bool) {
	dash := -1
	for i, c := range spec {
		if c == '-' {
			dash = i
			break
		}
	}
	if dash < 0 {
		return r, false, false
	}
	first, last := spec[:dash], spec[dash+1:]
	if len(first) == 0 { // suffix: the last N bytes
		suffix, ok := parseDigits(last)
		if !ok {
			return r, false, false
		}
		if suffix == 0 || size == 0 {
			return r, false, true
		}
		suffix = min(suffix, size)
		return byteRange{size - suffix, suffix}, true, true
	}
	start, ok := parseDigits(first)
	if !ok {
		return r, false, false
	}
	end := size - 1
	if len(last) > 0 {
		e, ok := parseDigits(last)
		if !ok || e < start {
			return r, false, false
		}
		end = min(e, size-1)
	}
	if start >= size {
		return r, false, true
	}
	return byteRange{start, end - start + 1}, true, true
}

func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// appendContentRange appends "bytes first-last/size".
func appendContentRange(b []byte, r byteRange, size int64) []byte {
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.start+r.length-1, 10)
	b = append(b, '/')
	return strconv.AppendInt(b, size, 10)
}

// multipart lays out a multipart/byteranges body (RFC 9110, section
// 14.6): each part is a header block followed by its bytes, and the body
// ends with the closing delimiter.
type multipart struct {
	boundary string
	heads    [][]byte // per range: CRLF--boundary, Content-Type, Content-Range, blank line
	tail     []byte
	length   int64 // the whole body
}

func newMultipart(boundary, ctype string, ranges []byteRange, size int64) *multipart {
	m := &multipart{boundary: boundary}
	for i, r := range ranges {
		var h []byte
		if i > 0 {
			h = append(h, "\r\n"...)
		}
		h = append(h, "--"...)
		h = append(h, boundary...)
		h = append(h, "\r\nContent-Type: "...)
		h = append(h, ctype...)
		h = append(h, "\r\nContent-Range: "...)
		h = appendContentRange(h, r, size)
		h = append(h, "\r\n\r\n"...)
		m.heads = append(m.heads, h)
		m.length += int64(len(h)) + r.length
	}
	m.tail = []byte("\r\n--" + boundary + "--\r\n")
	m.length += int64(len(m.tail))
	return m
}
