package fileserver

import (
	"compress/gzip"
	"io"
	"sync"

	"github.com/luaserve/luaserve/httpcore"
)

// Content codings the server can answer with.
const (
	codingBrotli = 1 << iota // a precompressed .br sibling only
	codingGzip               // a .gz sibling, or gzip on the fly
)

// acceptedCodings parses Accept-Encoding (RFC 9110, section 12.5.3) and
// returns the acceptable codings among br and gzip, best first in order:
// the first result is preferred over the second. q=0 refuses a coding; "*"
// stands for the codings not listed.
func acceptedCodings(v []byte) (best, second int) {
	brQ, gzQ, starQ := -1, -1, -1
	for len(v) > 0 {
		var item []byte
		item, v = httpcore.NextListItem(v)
		name, q := item, 1000
		for i, c := range item {
			if c == ';' {
				name = trimSpace(item[:i])
				q = parseQ(item[i+1:])
				break
			}
		}
		switch {
		case httpcore.EqualFold(name, "br"):
			brQ = q
		case httpcore.EqualFold(name, "gzip"), httpcore.EqualFold(name, "x-gzip"):
			gzQ = max(gzQ, q)
		case len(name) == 1 && name[0] == '*':
			starQ = q
		}
	}
	if brQ < 0 {
		brQ = max(starQ, 0)
	}
	if gzQ < 0 {
		gzQ = max(starQ, 0)
	}
	switch {
	case brQ > 0 && brQ >= gzQ: // brotli is smaller: it wins ties
		best = codingBrotli
		if gzQ > 0 {
			second = codingGzip
		}
	case gzQ > 0:
		best = codingGzip
		if brQ > 0 {
			second = codingBrotli
		}
	}
	return best, second
}

// parseQ reads the q parameter of an Accept-Encoding element's parameters,
// in thousandths; malformed values count as 1 (the default).
func parseQ(params []byte) int {
	for len(params) > 0 {
		var p []byte
		i := 0
		for i < len(params) && params[i] != ';' {
			i++
		}
		p, params = trimSpace(params[:i]), params[min(i+1, len(params)):]
		if len(p) < 2 || (p[0]|0x20) != 'q' || p[1] != '=' {
			continue
		}
		p = p[2:]
		if len(p) == 0 || (p[0] != '0' && p[0] != '1') {
			return 1000
		}
		q := int(p[0]-'0') * 1000
		if len(p) > 1 && p[1] == '.' {
			scale := 100
			for _, c := range p[2:] {
				if c < '0' || c > '9' || scale == 0 {
					break
				}
				q += int(c-'0') * scale
				scale /= 10
			}
		}
		return min(q, 1000)
	}
	return 1000
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// Gzip levels: a cached small file is compressed once, so it gets the
// default level; a large file is compressed on every request, so it gets
// the fastest (nginx's gzip_comp_level is 1 by default).
const (
	cachedGzipLevel   = gzip.DefaultCompression
	streamedGzipLevel = gzip.BestSpeed
)

// A gzip.Writer holds about a megabyte of tables: reuse them.
var streamGzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, streamedGzipLevel)
	return zw
}}

// gzipBytes compresses b at the cached level; it returns nil when the
// result is not smaller.
func gzipBytes(b []byte) []byte {
	var buf sliceWriter
	buf.b = make([]byte, 0, len(b)/2+64)
	zw, _ := gzip.NewWriterLevel(&buf, cachedGzipLevel)
	zw.Write(b)
	zw.Close()
	if len(buf.b) >= len(b) {
		return nil
	}
	return buf.b
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
