package httpcore

import (
	"strconv"
	"sync/atomic"
	"time"
)

var statusText = map[int]string{
	100: "Continue", 101: "Switching Protocols", 103: "Early Hints",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
	410: "Gone", 411: "Length Required", 412: "Precondition Failed",
	413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
	416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a teapot",
	421: "Misdirected Request", 422: "Unprocessable Content", 425: "Too Early",
	426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
	507: "Insufficient Storage", 511: "Network Authentication Required",
}

// StatusText returns the reason phrase for code (RFC 9110, section 15),
// or "Status" for codes it does not know.
func StatusText(code int) string {
	if t, ok := statusText[code]; ok {
		return t
	}
	return "Status"
}

// statusLines holds "HTTP/1.1 200 OK\r\n" for every code in 100..999, built
// once so that writing a status line is one copy.
var statusLines = func() (lines [1000][]byte) {
	for code := 100; code < 1000; code++ {
		lines[code] = []byte("HTTP/1.1 " + strconv.Itoa(code) + " " + StatusText(code) + "\r\n")
	}
	return lines
}()

func appendStatusLine(b []byte, code int) []byte {
	if code < 100 || code > 999 {
		code = 500
	}
	return append(b, statusLines[code]...)
}

// dateCache holds the Date header value, rebuilt at most once a second.
type dateCache struct {
	v atomic.Pointer[dateValue]
}

type dateValue struct {
	sec  int64
	text []byte
}

// get returns the IMF-fixdate of now (RFC 9110, section 5.6.7), rebuilt
// only when now falls in another second than the cached value.
func (d *dateCache) get(now time.Time) []byte {
	sec := now.Unix()
	if v := d.v.Load(); v != nil && v.sec == sec {
		return v.text
	}
	v := &dateValue{sec: sec, text: now.UTC().AppendFormat(nil, "Mon, 02 Jan 2006 15:04:05 GMT")}
	d.v.Store(v)
	return v.text
}
