package httpcore

import (
	"bytes"
	"io"
	"net"
	"time"
)

// Request is one parsed HTTP/1.x request. Its byte slices point into the
// connection's read buffer and are valid only until the handler returns;
// code that keeps any of them must copy.
type Request struct {
	Method []byte // case-sensitive token, e.g. "GET"
	Target []byte // the request-target as sent
	// RawPath is the path of Target, still percent-encoded ("*" for the
	// asterisk form). Path is RawPath percent-decoded; it is RawPath itself
	// when there is nothing to decode.
	RawPath []byte
	Path    []byte
	// Query is the query string without the '?'; nil when absent.
	Query []byte
	// Host is the authority of an absolute-form target, else the Host field.
	Host []byte
	// ProtoMinor is 0 for HTTP/1.0 and 1 for HTTP/1.1, and for any later
	// HTTP/1.x, which is served as HTTP/1.1 (RFC 9110, section 2.5).
	ProtoMinor int
	Header     Header
	// ContentLength is the declared body length; -1 when chunked; 0 when
	// there is no body.
	ContentLength int64
	// Body streams the request body; it reads io.EOF at the end of the body,
	// and a *ParseError (see StatusOf) for a malformed or oversized one.
	// After ReceiveBody it reads the stored body, from memory or the file.
	Body io.Reader
	// RemoteAddr is the peer's address, "ip:port" (with the PROXY
	// protocol, the address its header gave).
	RemoteAddr string
	// RemoteIP is the client's IP address: RemoteAddr's, or, from a
	// trusted proxy (Server.TrustedProxies), the one its Forwarded or
	// X-Forwarded-For field names; Forwarded says it is the latter.
	RemoteIP  string
	Forwarded bool
	// Scheme is "http" or "https": the connection's, or the one a trusted
	// proxy's Forwarded proto= or X-Forwarded-Proto names.
	Scheme string
	// ID is the request's id (Server.RequestIDs): a trusted proxy's
	// X-Request-Id when it is sane, else a new one. Like the other byte
	// slices, valid until the handler returns.
	ID []byte
	// Route is for the handler to say what answered (a route pattern), for
	// the logs and metrics around it; "" until it does.
	Route string
	// LocalAddr is the address the connection was accepted on.
	LocalAddr net.Addr
	// Received is when the request's head was in and the handler called,
	// for handlers that time the request (the access log), which then need
	// not read the clock again (a read is about 50 ns on a virtual
	// machine's kvm-clock). It follows Server.Clock. Zero for a request
	// refused before its handler.
	Received time.Time

	framing        uint8 // saw* bits, set while parsing fields
	chunked        bool
	close          bool // the client asked to close after this request
	expectContinue bool
	pathBuf        []byte // storage for a decoded Path
	c              *conn
}

// Proto returns "HTTP/1.0" or "HTTP/1.1".
func (r *Request) Proto() string {
	if r.ProtoMinor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// WantsClose reports whether the client asked to close the connection after
// this request (HTTP/1.0 without keep-alive, or Connection: close).
func (r *Request) WantsClose() bool { return r.close }

// ReadBody returns the whole body. When the body already sits in the read
// buffer the result aliases it; otherwise it is read into storage owned by
// the connection. Either way it is valid only until the handler returns.
// A body over the server's limit returns ErrBodyTooLarge; one that does
// not keep arriving within the server's BodyTimeout plus one second per
// MinBodyRate bytes received, a 408 *ParseError, as ReceiveBody. After
// ReceiveBody it returns the stored body: the memory itself, or, for a body
// spooled to a file, the file read into a new slice of the body's size.
func (r *Request) ReadBody() ([]byte, error) {
	if r.ContentLength == 0 || r.c == nil {
		return nil, nil
	}
	return r.c.readBody()
}

func (r *Request) reset() {
	r.Method, r.Target, r.RawPath, r.Path, r.Query, r.Host = nil, nil, nil, nil, nil, nil
	r.ProtoMinor = 1
	r.Header.Reset()
	r.ContentLength = 0
	r.Route, r.ID = "", nil  // a head that fails to parse must not carry the last request's id
	r.Received = time.Time{} // nor its time
	r.chunked, r.close, r.expectContinue = false, false, false
	r.framing = 0
}

// Bits of Request.framing.
const (
	sawCL uint8 = 1 << iota
	sawTE
	sawClose
	sawKeepAlive
	sawUnknownCoding // a transfer coding other than chunked
)

// limits are the parser's bounds, resolved from the Server's settings.
type limits struct {
	maxLine   int // request line
	maxHeader int // whole header section
	maxFields int
}

// parseHead parses a complete header section, b, which ends with the empty
// line. Leading empty lines must already be skipped.
func parseHead(r *Request, b []byte, lim *limits) error {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return errBadRequestLine
	}
	if i > lim.maxLine {
		return errURITooLong
	}
	line := b[:i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if err := parseRequestLine(r, line); err != nil {
		return err
	}
	if err := parseFields(r, b[i+1:], lim); err != nil {
		return err
	}
	return checkFraming(r)
}

// parseRequestLine splits "method SP request-target SP HTTP-version"
// (RFC 9112, section 3). Exactly one space separates the parts.
func parseRequestLine(r *Request, line []byte) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return errBadRequestLine
	}
	method := line[:sp1]
	for _, c := range method {
		if !isTokenChar[c] {
			return errBadMethod
		}
	}
	rest := line[sp1+1:]
	sp2 := bytes.LastIndexByte(rest, ' ')
	if sp2 <= 0 {
		return errBadRequestLine
	}
	target, version := rest[:sp2], rest[sp2+1:]
	switch {
	case string(version) == "HTTP/1.1":
		r.ProtoMinor = 1
	case string(version) == "HTTP/1.0":
		r.ProtoMinor = 0
		r.close = true // until Connection: keep-alive says otherwise
	case len(version) == 8 && string(version[:7]) == "HTTP/1." && isDigit(version[7]):
		// RFC 9110, section 2.5: a later minor version of a major version
		// we implement is processed as the highest minor version we
		// implement. The response says HTTP/1.1.
		r.ProtoMinor = 1
	case isHTTPVersion(version):
		return errVersion // RFC 9110, section 15.6.6
	default:
		return errBadVersion
	}
	r.Method = method
	return parseTarget(r, target)
}

// isHTTPVersion matches "HTTP/" DIGIT "." DIGIT, and "HTTP/" DIGIT for the
// HTTP/2 and HTTP/3 spellings, which deserve a 505, not a 400. HTTP/1.x
// never gets here: parseRequestLine serves every 1.x.
func isHTTPVersion(v []byte) bool {
	if len(v) < 6 || string(v[:5]) != "HTTP/" || !isDigit(v[5]) {
		return false
	}
	switch len(v) {
	case 6:
		return v[5] >= '2' // "HTTP/2", "HTTP/3"; "HTTP/1" is malformed
	case 8:
		return v[6] == '.' && isDigit(v[7])
	}
	return false
}

// parseTarget handles the origin, absolute and asterisk forms (RFC 9112,
// section 3.2). CONNECT's authority form is refused: luaserve is no proxy.
func parseTarget(r *Request, t []byte) error {
	if !validTarget(t) {
		return errBadTarget
	}
	r.Target = t
	if string(r.Method) == "CONNECT" {
		return errConnect
	}
	switch {
	case t[0] == '/':
		// origin-form
	case len(t) == 1 && t[0] == '*':
		if string(r.Method) != "OPTIONS" {
			return errBadTarget
		}
		r.RawPath, r.Path = t, t
		return nil
	default:
		rest, ok := cutScheme(t)
		if !ok {
			return errBadTarget
		}
		end := len(rest)
		if j := bytes.IndexAny(rest, "/?"); j >= 0 {
			end = j
		}
		host := rest[:end]
		if len(host) == 0 || !validHost(host) || bytes.IndexByte(host, '@') >= 0 {
			return errBadTarget
		}
		r.Host = host
		t = rest[end:]
		if len(t) == 0 || t[0] == '?' {
			// RFC 9112, section 3.2.1: an empty path is "/".
			r.RawPath, r.Path = slash, slash
			if len(t) > 0 {
				r.Query = t[1:]
			}
			return nil
		}
	}
	return setPath(r, t)
}

// validTarget refuses an empty target, and whitespace, control bytes and
// '#' in one: a fragment is not sent (RFC 9112, section 3.2).
func validTarget(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		if c <= ' ' || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// setPath splits "path?query" into RawPath and Query, and sets Path to
// RawPath percent-decoded (RawPath itself when there is nothing to decode).
func setPath(r *Request, t []byte) error {
	raw := t
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		raw, r.Query = t[:q], t[q+1:]
	}
	r.RawPath = raw
	if bytes.IndexByte(raw, '%') < 0 {
		r.Path = raw
		return nil
	}
	p, ok := appendUnescaped(r.pathBuf[:0], raw)
	if !ok {
		return errBadPath
	}
	r.pathBuf = p
	r.Path = p
	return nil
}

var slash = []byte("/")

func cutScheme(t []byte) ([]byte, bool) {
	switch {
	case len(t) > 7 && EqualFold(t[:7], "http://"):
		return t[7:], true
	case len(t) > 8 && EqualFold(t[:8], "https://"):
		return t[8:], true
	}
	return nil, false
}

// appendUnescaped percent-decodes s onto dst. It refuses malformed escapes
// and %00, which no file name or route can mean.
func appendUnescaped(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		h, l := unhex(s[i+1]), unhex(s[i+2])
		if h < 0 || l < 0 {
			return dst, false
		}
		v := byte(h<<4 | l)
		if v == 0 {
			return dst, false
		}
		dst = append(dst, v)
		i += 2
	}
	return dst, true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// parseFields parses the field lines of b, which ends with the empty line
// (RFC 9112, section 5; RFC 9110, section 5.5).
func parseFields(r *Request, b []byte, lim *limits) error {
	hosts := 0
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return errBadHeaderValue // unreachable: b ends with a line feed
		}
		line := b[:i]
		b = b[i+1:]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold, or whitespace before the first field: both refused
			// (RFC 9112, sections 2.2 and 5.2).
			return errObsFold
		}
		if r.Header.n >= lim.maxFields {
			return errTooManyFields
		}
		name, value, err := splitField(line)
		if err != nil {
			return err
		}
		r.Header.addRef(name, value)
		if err := noteField(r, name, value, &hosts); err != nil {
			return err
		}
	}
	if hosts > 1 {
		return errManyHosts
	}
	if hosts == 0 && r.ProtoMinor == 1 {
		return errNoHost // RFC 9112, section 3.2
	}
	return nil
}

// splitField splits a field line at its colon. The name must be a token
// right up to the colon: whitespace before it is refused (RFC 9112,
// section 5.1), as a proxy might read the name differently.
func splitField(line []byte) (name, value []byte, err error) {
	colon := -1
	for j, c := range line {
		if isTokenChar[c] {
			continue
		}
		if c == ':' {
			colon = j
			break
		}
		if c == ' ' || c == '\t' {
			return nil, nil, errSpaceBeforeColon
		}
		if c == '\r' {
			return nil, nil, errBareCR
		}
		return nil, nil, errBadHeaderName
	}
	if colon <= 0 {
		return nil, nil, errBadHeaderName
	}
	value, err = trimValue(line[colon+1:])
	return line[:colon], value, err
}

// trimValue strips optional whitespace and checks every byte is field-vchar,
// SP, HTAB or obs-text: CR, LF, NUL and other controls are refused.
func trimValue(v []byte) ([]byte, error) {
	v = trimOWS(v)
	for _, c := range v {
		if !isValueChar[c] {
			if c == '\r' {
				return nil, errBareCR
			}
			return nil, errBadHeaderValue
		}
	}
	return v, nil
}

// noteField records what the core itself needs from a field: framing,
// connection options, expectations and the host.
func noteField(r *Request, name, value []byte, hosts *int) error {
	switch len(name) {
	case 4:
		if EqualFold(name, "host") {
			*hosts++
			if !validHost(value) {
				return errBadHost
			}
			// An absolute-form target's authority wins (RFC 9112, 3.2.2).
			if r.Host == nil {
				r.Host = value
			}
		}
	case 6:
		if EqualFold(name, "expect") {
			if !EqualFold(value, "100-continue") {
				return errExpectation // RFC 9110, section 10.1.1
			}
			// HTTP/1.0 clients cannot expect 100 Continue; ignore it there.
			r.expectContinue = r.ProtoMinor == 1
		}
	case 10:
		if EqualFold(name, "connection") {
			noteConnection(r, value)
		}
	case 14:
		if EqualFold(name, "content-length") {
			return noteContentLength(r, value)
		}
	case 17:
		if EqualFold(name, "transfer-encoding") {
			return noteTransferEncoding(r, value)
		}
	}
	return nil
}

func noteConnection(r *Request, v []byte) {
	for len(v) > 0 {
		var opt []byte
		opt, v = NextListItem(v)
		switch {
		case EqualFold(opt, "close"):
			r.framing |= sawClose
		case EqualFold(opt, "keep-alive"):
			r.framing |= sawKeepAlive
		}
	}
}

// NextListItem returns the first element of a comma-separated list and the
// rest, with surrounding whitespace removed (RFC 9110, section 5.6.1).
func NextListItem(v []byte) (item, rest []byte) {
	i := bytes.IndexByte(v, ',')
	if i < 0 {
		item, rest = v, nil
	} else {
		item, rest = v[:i], v[i+1:]
	}
	return trimOWS(item), rest
}

// noteContentLength accepts digits only; a repeated field must repeat the
// same value (RFC 9110, section 8.6).
func noteContentLength(r *Request, v []byte) error {
	if len(v) == 0 || len(v) > 18 {
		return errBadContentLength
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return errBadContentLength
		}
		n = n*10 + int64(c-'0')
	}
	if r.framing&sawCL != 0 && n != r.ContentLength {
		return errManyContentLengths
	}
	r.ContentLength = n
	r.framing |= sawCL
	return nil
}

// noteTransferEncoding checks the codings: chunked, exactly once and last;
// any other coding is not implemented (RFC 9112, section 6.1). The codings
// come in one field line: RFC 9110, section 5.3 would let several lines
// form one list, but intermediaries disagree on how to join them, which is
// how requests get smuggled; a second line is refused, as nginx and
// net/http do.
func noteTransferEncoding(r *Request, v []byte) error {
	if r.ProtoMinor == 0 {
		return errTEInHTTP10
	}
	if r.framing&sawTE != 0 {
		return errManyTE
	}
	for len(v) > 0 {
		var c []byte
		c, v = NextListItem(v)
		if len(c) == 0 {
			continue
		}
		if r.chunked {
			// A coding after chunked, chunked again included, leaves the
			// body length unknowable: 400, not 501 (RFC 9112, section 6.3).
			return errChunkedNotLast
		}
		if EqualFold(c, "chunked") {
			r.chunked = true
		} else {
			// 501, unless a later field makes it a 400 (a misplaced
			// chunked, a Content-Length): checkFraming decides.
			r.framing |= sawUnknownCoding
		}
	}
	r.framing |= sawTE
	return nil
}

// checkFraming applies RFC 9112, section 6.3 once all fields are known.
func checkFraming(r *Request) error {
	switch {
	case r.framing&sawClose != 0:
		r.close = true
	case r.framing&sawKeepAlive != 0:
		r.close = false // HTTP/1.0 keep-alive; HTTP/1.1 never set close
	}
	if r.framing&sawTE != 0 {
		if r.framing&sawCL != 0 {
			return errCLAndTE
		}
		if r.framing&sawUnknownCoding != 0 {
			return errUnknownCoding
		}
		if !r.chunked {
			return errChunkedNotLast
		}
		r.ContentLength = -1
	}
	return nil
}
