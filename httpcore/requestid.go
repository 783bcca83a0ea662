package httpcore

import (
	"crypto/rand"
	"sync/atomic"
)

// A request id is this process's random prefix and a counter:
// "q3x7kd2m9tbe-1a", 12 base-32 characters then the counter in base 32.
// Unique across processes without coordination (60 random bits per
// process) and cheap: one atomic add and a few bytes written into the
// connection's buffer, no allocation. It is not secret: ids are
// sequential within a process.
var (
	idPrefix  [idPrefixLen]byte
	idCounter atomic.Uint64
)

const (
	idPrefixLen = 12
	// MaxRequestIDLen bounds an X-Request-Id taken from a trusted proxy.
	MaxRequestIDLen = 128
	idDigits        = "0123456789abcdefghijklmnopqrstuv"
	// idBufLen holds the prefix, the dash and a 64-bit counter in base 32.
	idBufLen = idPrefixLen + 1 + 13
)

func init() {
	var b [idPrefixLen]byte
	rand.Read(b[:])
	for i, v := range b {
		idPrefix[i] = idDigits[v&31]
	}
}

// nextID appends a new request id to dst, which has room for idBufLen.
func nextID(dst []byte) []byte {
	n := idCounter.Add(1)
	dst = append(dst, idPrefix[:]...)
	dst = append(dst, '-')
	var digits [13]byte
	i := len(digits)
	for {
		i--
		digits[i] = idDigits[n&31]
		n >>= 5
		if n == 0 {
			break
		}
	}
	return append(dst, digits[i:]...)
}

// saneID reports whether a proxy's request id can be used as it is: 1 to
// MaxRequestIDLen visible ASCII characters, so that it is safe in a
// header, a log line and a Lua string.
func saneID(id []byte) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLen {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// appendCoreFields appends the fields the core adds to every response:
// X-Request-Id (Server.SendRequestID) unless the handler set one, and
// Strict-Transport-Security (Server.HSTS) over https.
func (w *ResponseWriter) appendCoreFields(b []byte) []byte {
	c := w.c
	if c.srv.HSTS != "" && w.req.Scheme == SchemeHTTPS {
		b = append(b, "Strict-Transport-Security: "...)
		b = append(b, c.srv.HSTS...)
		b = append(b, "\r\n"...)
	}
	if c.srv.SendRequestID && len(w.req.ID) > 0 && !w.header.Has("X-Request-Id") {
		b = append(b, "X-Request-Id: "...)
		b = append(b, w.req.ID...)
		b = append(b, "\r\n"...)
	}
	return b
}
