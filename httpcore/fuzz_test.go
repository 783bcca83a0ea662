package httpcore

// FuzzReadRequest is a differential test: the same bytes go to this
// package's request reader (parseRaw, with every limit off) and to
// net/http's ReadRequest (then its Body, read to the end). Both must accept
// the same request (method, request-target, decoded path, query, version,
// Host, header fields, framing, body and the number of bytes consumed) or
// both must refuse.
// Where they disagree the disagreement must be one of the deliberate
// differences below, each recognized by its name in weRefuse or weAccept
// with a check that the input really is such a case; any other disagreement
// fails.
//
// We refuse what net/http's ReadRequest accepts:
//
//	version     HTTP/0.9, HTTP/2.0 (any well-formed version whose major is
//	            not 1): 505 (RFC 9110, section 15.6.6). ReadRequest parses
//	            any HTTP/d.d. HTTP/1.2 to 1.9 are no difference: both of us
//	            serve them as HTTP/1.1 (RFC 9110, section 2.5; see stdRead).
//	connect     CONNECT: 501. We are no proxy (RFC 9110, sections 9.3.6 and
//	            15.6.2).
//	asterisk    "*" with a method other than OPTIONS: 400 (RFC 9112, section
//	            3.2.4). net/url parses "*" for any method.
//	target      request-targets that are neither origin-form nor http(s)
//	            absolute-form with an authority (RFC 9112, section 3.2): other
//	            schemes, "http:/x", an empty host (RFC 9110, section 4.2.1),
//	            userinfo (RFC 9110, section 4.2.4), host bytes outside RFC 3986
//	            (section 3.2.2) such as '<' or obs-text, and '#' (a fragment
//	            is not part of a request-target, RFC 9112, section 3.2).
//	nul-path    "%00" in the path: 400 (RFC 3986, section 7.3: a decoded NUL
//	            means something else to every back end). net/url decodes it.
//	name-space  whitespace between field name and colon: 400 (RFC 9112,
//	            section 5.1, a MUST). net/textproto keeps "Name " as a name.
//	obs-fold    folded field lines: 400 (RFC 9112, section 5.2 permits it).
//	            net/textproto unfolds them.
//	host        HTTP/1.1 without Host, or a Host value with bytes outside
//	            the host charset: 400 (RFC 9112, section 3.2, a MUST).
//	            ReadRequest leaves both to net/http's Server, which answers
//	            400 too (same charset, httpguts.ValidHostHeader).
//	host-shape  a Host value not shaped "uri-host [':' port]": a port that
//	            is not digits ("h:abc"), a second colon, brackets that do not
//	            enclose an IP-literal: 400 (RFC 9112, section 3.2; RFC 3986,
//	            sections 3.2.2 and 3.2.3). ReadRequest accepts them, and
//	            net/http's Server checks only the characters. (In an
//	            absolute-form target net/url refuses them too.)
//	expect      an expectation other than 100-continue: 417 (RFC 9110,
//	            section 10.1.1). ReadRequest leaves it to net/http's Server,
//	            which answers 417 too.
//	cl-and-te   Content-Length and Transfer-Encoding together: 400, and the
//	            connection closes (RFC 9112, section 6.1 allows either; this
//	            is the smuggling vector). net/http drops Content-Length.
//	te-http10   Transfer-Encoding in HTTP/1.0: 400 (RFC 9112, section 6.1:
//	            "MUST treat the message as if the framing is faulty").
//	            net/http ignores the field and frames by Content-Length.
//	cl-digits   a Content-Length of more than 18 digits (leading zeros):
//	            400. A length check rules out overflow without arithmetic
//	            (RFC 9110, section 8.6: anticipate large numerals).
//	trailer     trailer field lines ended by a bare LF, folded, or with
//	            whitespace before the colon: 400. The trailer section is part
//	            of the chunked framing, where we require CRLF (RFC 9112,
//	            section 7.1 and erratum 7633) and the field-line syntax
//	            (sections 7.1.2 and 5). net/http reads trailers with its
//	            lenient header reader.
//	chunk-ext   control characters (NUL, DEL, ...) in a chunk extension: 400
//	            (RFC 9112, section 7.1.1: token / quoted-string). net/http
//	            drops extensions unread.
//
// We accept what net/http refuses:
//
//	te-list     a Transfer-Encoding field with empty list elements
//	            ("Transfer-Encoding: , chunked"): RFC 9110, section 5.6.1
//	            (empty elements MUST be ignored). net/http wants the field to
//	            read "chunked". (Several Transfer-Encoding fields are refused
//	            by both.)
//	cl-spelling a repeated Content-Length whose copies spell the same number
//	            differently ("5" and "05"): RFC 9110, section 8.6 speaks of
//	            "the same decimal value". net/http compares strings.
//	authority   an absolute-form authority is checked like the Host field
//	            (RFC 9112, section 3.2.2; RFC 9110, section 7.2): characters and
//	            the host-shape above, nothing more. net/url also refuses
//	            percent-encoded ASCII in it, and more.
//	chunk-bws   whitespace before the ';' of a chunk extension ("5 ;x"):
//	            RFC 9112, section 7.1.1 allows BWS there; net/http does not.
//	chunk-digits a chunk size of more than 16 hex digits (leading zeros): we
//	            bound the value, not its spelling (RFC 9112, section 7.1).
//	chunk-overhead  net/http refuses a chunked body with more than 16 KiB of
//	            framing beyond its data (a DoS heuristic); we bound each
//	            chunk line to 4 KiB and the trailer to MaxHeaderBytes.
//	trailer-decl a Trailer field naming Content-Length, Transfer-Encoding or
//	            Trailer: net/http refuses the request; trailers are discarded
//	            here, so the declaration cannot change the framing (RFC 9110,
//	            section 6.6.2 sets no requirement on recipients).
//
// Normalizations, which are not differences: ReadRequest reports HTTP/1.2
// as minor version 2, where we say 1 (net/http's Server, too, answers
// HTTP/1.1 and applies HTTP/1.1's rules). We skip any number of empty
// lines before the request line (RFC 9112, section 2.2); ReadRequest skips
// none (net/http's Server skips a few after a POST), so they are stripped
// before net/http sees the input. net/http moves Transfer-Encoding out of
// the header, removes Host, Content-Length (and Trailer, when chunked) from it,
// adds "Cache-Control: no-cache" after "Pragma: no-cache", and percent-
// decodes an absolute-form host; the comparison drops or skips those. Its
// bufio.Reader is as large as the input, so that buffer-size limits (trailer
// size, line length) do not show up as differences.
//
// Besides, on every input: no panic, consumed <= len(input), refusals are
// ParseErrors with a status from the list the server can send, and small
// limits (fuzzTight) only ever turn an acceptance into a 413, 414 or 431.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	fuzzOpen  = &Server{MaxRequestLineBytes: -1, MaxHeaderBytes: -1, MaxHeaderFields: -1, MaxBodyBytes: -1}
	fuzzTight = &Server{MaxRequestLineBytes: 64, MaxHeaderBytes: 256, MaxHeaderFields: 8, MaxBodyBytes: 64}
)

// sendableStatus lists the statuses a ParseError may carry.
var sendableStatus = map[int]bool{400: true, 408: true, 413: true, 414: true, 417: true, 431: true, 501: true, 505: true}

func isLimitStatus(s int) bool { return s == 413 || s == 414 || s == 431 }

// extraSeeds are inputs the tables do not already hold.
var extraSeeds = []string{
	"",
	"\x00",
	"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n",
	"GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http://%41/ HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\x00\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n000000000000000000005\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
	"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
}

func FuzzReadRequest(f *testing.F) {
	for _, c := range acceptCases {
		f.Add([]byte(fixture(c.raw)))
	}
	for _, c := range rejectCases {
		f.Add([]byte(fixture(c.raw)))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	for _, file := range files {
		fc, err := loadParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fc.raw)
	}
	for _, s := range extraSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tight := ourRead(t, fuzzTight, data)
		open := ourRead(t, fuzzOpen, data)
		if s := StatusOf(open.err); isLimitStatus(s) {
			t.Fatalf("limits off, yet status %d: %v\ninput %q", s, open.err, data)
		}
		checkTightLimits(t, data, tight, open)
		std := stdRead(data)
		if why, ok := agree(data, open, std); !ok {
			t.Fatalf("%s\ninput    %q\nours     %v\nnet/http %v", why, data, open, std)
		}
	})
}

// result is one reader's view of the input, copied out of its buffers.
type result struct {
	err                  error
	method, target, host string
	path, query          string // decoded path, raw query
	minor                int
	fields               []string // "Canonical-Name: value", sorted
	length               int64    // ContentLength
	body                 string
	consumed             int
	// Ours only.
	te, cl    []string // the raw Transfer-Encoding and Content-Length values
	inTrailer bool     // the body failed inside the trailer section
	// net/http only.
	std *http.Request
}

func (r result) String() string {
	s := fmt.Sprintf("%s %q HTTP/1.%d path=%q query=%q host=%q len=%d consumed=%d fields=%q body=%q",
		r.method, r.target, r.minor, r.path, r.query, r.host, r.length, r.consumed, r.fields, r.body)
	if r.err != nil {
		s = fmt.Sprintf("error %q (status %d) after %s", r.err, StatusOf(r.err), s)
	}
	return s
}

// ourRead runs data through the connection's reader and checks the
// invariants that hold whatever the input.
func ourRead(t *testing.T, srv *Server, data []byte) result {
	req, payload, n, err := parseRaw(srv, data)
	if n < 0 || n > len(data) {
		t.Fatalf("consumed %d of %d bytes\ninput %q", n, len(data), data)
	}
	if err != nil && err != errQuiet && !sendableStatus[StatusOf(err)] {
		t.Fatalf("error %v (status %d) is not a ParseError with a sendable status\ninput %q", err, StatusOf(err), data)
	}
	r := result{err: err, consumed: n, body: string(payload)}
	if req == nil {
		return r
	}
	r.method, r.target, r.host = string(req.Method), string(req.Target), string(req.Host)
	r.path, r.query = string(req.Path), string(req.Query)
	r.minor, r.length = req.ProtoMinor, req.ContentLength
	for i := range req.Header.Len() {
		name, value := req.Header.At(i)
		key := textproto.CanonicalMIMEHeaderKey(string(name))
		switch key {
		case "Transfer-Encoding":
			r.te = append(r.te, string(value))
		case "Content-Length":
			r.cl = append(r.cl, string(value))
		}
		r.fields = append(r.fields, key+": "+string(value))
	}
	slices.Sort(r.fields)
	if b, ok := req.Body.(*body); ok {
		r.inTrailer = b.state == chunkTrailer
	}
	if err != nil {
		return r
	}
	lead := leadingEmptyLines(data)
	if !bytes.HasPrefix(data[lead:], []byte(r.method+" "+r.target+" HTTP/1.")) {
		t.Fatalf("accepted %s %q, which is not how the input starts\ninput %q", r.method, r.target, data)
	}
	if r.length >= 0 && int64(len(r.body)) != r.length || r.length < -1 {
		t.Fatalf("ContentLength %d, body of %d bytes\ninput %q", r.length, len(r.body), data)
	}
	return r
}

// checkTightLimits: limits only ever refuse, with their own statuses.
func checkTightLimits(t *testing.T, data []byte, tight, open result) {
	ts, ops := StatusOf(tight.err), StatusOf(open.err)
	switch {
	case tight.err == nil:
		if open.err != nil || tight.String() != open.String() {
			t.Fatalf("small limits accept what no limits read differently\ninput %q\ntight %v\nopen  %v", data, tight, open)
		}
	case isLimitStatus(ts):
	case ts != ops || (open.err == nil) != (tight.err == nil):
		t.Fatalf("small limits change a refusal that is not theirs\ninput %q\ntight %v\nopen  %v", data, tight, open)
	}
}

// stdRead runs data through net/http's ReadRequest and its Body.
func stdRead(data []byte) result {
	lead := leadingEmptyLines(data)
	in := data[lead:]
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, max(len(in), 16))
	req, err := http.ReadRequest(br)
	if err != nil {
		return result{err: err}
	}
	r := result{std: req, method: req.Method, target: req.RequestURI, host: req.Host,
		path: req.URL.Path, query: req.URL.RawQuery, minor: req.ProtoMinor, length: req.ContentLength}
	if req.ProtoMajor == 1 && req.ProtoMinor > 1 {
		r.minor = 1 // ReadRequest reports HTTP/1.2; net/http's Server serves it as 1.1
	}
	if r.path == "" {
		r.path = "/" // an absolute-form target without a path (RFC 9112, section 3.2.1)
	}
	for name, values := range req.Header {
		for _, v := range values {
			r.fields = append(r.fields, name+": "+v)
		}
	}
	slices.Sort(r.fields)
	payload, err := io.ReadAll(req.Body)
	r.body, r.err = string(payload), err
	r.consumed = lead + len(in) - rd.Len() - br.Buffered()
	return r
}

func leadingEmptyLines(b []byte) int {
	i := 0
	for {
		switch {
		case i < len(b) && b[i] == '\n':
			i++
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			i += 2
		default:
			return i
		}
	}
}

// agree reports whether the two readings match, or differ in a known way
// (then why names the difference).
func agree(data []byte, ours, std result) (why string, ok bool) {
	switch {
	case ours.err == nil && std.err == nil:
		return sameRequest(ours, std)
	case ours.err != nil && std.err != nil:
		return "", true
	case ours.err != nil:
		if d := weRefuse(data, ours, std); d != "" {
			return d, true
		}
		return "we refuse what net/http accepts", false
	default:
		if d := weAccept(data, ours, std); d != "" {
			return d, true
		}
		return "we accept what net/http refuses", false
	}
}

func sameRequest(ours, std result) (string, bool) {
	switch {
	case ours.method != std.method:
		return "method differs", false
	case ours.target != std.target:
		return "request-target differs", false
	case ours.minor != std.minor:
		return "version differs", false
	case ours.host != std.host && !strings.Contains(ours.host, "%"):
		return "host differs", false
	case ours.path != std.path:
		return "decoded path differs", false
	case ours.query != std.query:
		return "query differs", false
	case ours.length != std.length:
		return "content length differs", false
	case ours.body != std.body:
		return "body differs", false
	case ours.consumed != std.consumed:
		return "consumed byte count differs", false
	}
	chunked := ours.length == -1
	var a []string
	for _, f := range ours.fields {
		name, _, _ := strings.Cut(f, ": ")
		if name == "Host" || name == "Transfer-Encoding" || name == "Content-Length" || chunked && name == "Trailer" {
			continue
		}
		a = append(a, f)
	}
	var b []string
	addedCC := !hasFieldName(ours.fields, "Cache-Control") && len(std.std.Header["Pragma"]) > 0 &&
		std.std.Header["Pragma"][0] == "no-cache"
	for _, f := range std.fields {
		name, _, _ := strings.Cut(f, ": ")
		if name == "Content-Length" || addedCC && f == "Cache-Control: no-cache" {
			continue
		}
		b = append(b, f)
	}
	if !slices.Equal(a, b) {
		return fmt.Sprintf("header fields differ: ours %q, net/http %q", a, b), false
	}
	return "", true
}

func hasFieldName(fields []string, name string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f, name+": ") {
			return true
		}
	}
	return false
}

// weRefuse names the deliberate difference behind a request we refuse and
// net/http accepts, after checking the input is such a case; "" if none.
func weRefuse(data []byte, ours, std result) string {
	req := std.std
	switch ours.err {
	case errVersion:
		if req.ProtoMajor != 1 {
			return "version"
		}
	case errConnect:
		if req.Method == "CONNECT" {
			return "connect"
		}
	case errBadTarget:
		return targetDiff(req.Method, req.RequestURI)
	case errBadPath:
		if path, _, _ := strings.Cut(req.RequestURI, "?"); strings.Contains(path, "%00") {
			return "nul-path"
		}
	case errSpaceBeforeColon:
		for name := range req.Header {
			if strings.Contains(name, " ") {
				return "name-space"
			}
		}
	case errObsFold:
		if bytes.Contains(data, []byte("\n ")) || bytes.Contains(data, []byte("\n\t")) {
			return "obs-fold"
		}
	case errNoHost:
		if req.ProtoMinor >= 1 && len(headValues(data, "Host")) == 0 {
			return "host"
		}
	case errBadHost:
		hosts := headValues(data, "Host")
		switch {
		case len(hosts) != 1:
		case !validHostHeader(hosts[0]):
			return "host"
		case !hostShape.MatchString(hosts[0]):
			return "host-shape"
		}
	case errExpectation:
		for _, v := range req.Header["Expect"] {
			if !strings.EqualFold(v, "100-continue") {
				return "expect"
			}
		}
	case errCLAndTE:
		if slices.Equal(req.TransferEncoding, []string{"chunked"}) &&
			bytes.Contains(bytes.ToLower(data), []byte("\ncontent-length:")) {
			return "cl-and-te"
		}
	case errTEInHTTP10:
		if req.ProtoMinor == 0 {
			return "te-http10"
		}
	case errBadContentLength:
		for _, v := range req.Header["Content-Length"] {
			if len(strings.TrimSpace(v)) > 18 {
				return "cl-digits"
			}
		}
	}
	// Failures inside the chunked body.
	if ours.inTrailer && ours.body == std.body {
		return "trailer"
	}
	if line := lastLine(data[:ours.consumed]); ours.err == errBadChunk {
		if i := bytes.IndexByte(line, ';'); i >= 0 && bytes.ContainsFunc(line[i:], isCTL) {
			return "chunk-ext"
		}
	}
	return ""
}

// weAccept names the deliberate difference behind a request we accept and
// net/http refuses; "" if none.
func weAccept(data []byte, ours, std result) string {
	msg := std.err.Error()
	switch {
	case strings.Contains(msg, "transfer encoding") &&
		!(len(ours.te) == 1 && strings.EqualFold(ours.te[0], "chunked")):
		return "te-list"
	case strings.Contains(msg, "multiple Content-Length") && len(ours.cl) > 1:
		return "cl-spelling"
	case strings.Contains(msg, "chunk length too large"):
		return "chunk-digits"
	case strings.Contains(msg, "invalid byte in chunk length") && chunkBWS.Match(data):
		return "chunk-bws"
	case strings.Contains(msg, "too much non-data"):
		return "chunk-overhead"
	case strings.Contains(msg, "bad trailer key"):
		return "trailer-decl"
	}
	if auth, ok := authority(ours.target); ok {
		if _, err := url.Parse("http://" + auth + "/"); err != nil {
			return "authority"
		}
	}
	return ""
}

var chunkBWS = regexp.MustCompile(`\n[0-9a-fA-F]+[ \t]+;`)

// targetDiff names why a request-target net/http accepts is refused here.
func targetDiff(method, target string) string {
	switch {
	case target == "*":
		if method != "OPTIONS" {
			return "asterisk"
		}
		return ""
	case strings.Contains(target, "#"):
		return "target"
	case strings.HasPrefix(target, "/"):
		return ""
	}
	auth, ok := authority(target)
	if !ok || auth == "" || strings.Contains(auth, "@") || !validHostHeader(auth) || !hostShape.MatchString(auth) {
		return "target"
	}
	return ""
}

// authority returns the authority of an http or https absolute-form target.
func authority(target string) (string, bool) {
	lower := strings.ToLower(target)
	var rest string
	switch {
	case strings.HasPrefix(lower, "http://"):
		rest = target[len("http://"):]
	case strings.HasPrefix(lower, "https://"):
		rest = target[len("https://"):]
	default:
		return "", false
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// validHostHeader is golang.org/x/net/http/httpguts.ValidHostHeader, which
// net/http's Server applies to Host: the bytes of RFC 3986's host and port.
func validHostHeader(h string) bool {
	const ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "!$%&'()*+,-.:;=[]_~"
	for i := 0; i < len(h); i++ {
		if !strings.Contains(ok, h[i:i+1]) {
			return false
		}
	}
	return true
}

// hostShape is "uri-host [':' port]" as this test reads RFC 3986, section
// 3.2, independently of validHost: an IP-literal in brackets or a name
// without colon or brackets, then an optional port of digits.
var hostShape = regexp.MustCompile(`^(\[[^\[\]]*\]|[^\[\]:]*)(:[0-9]*)?$`)

// headValues returns the values of the field lines called name in the head
// of data, read independently of both parsers: lines end at LF, a final CR
// is dropped, the name is what precedes the first colon.
func headValues(data []byte, name string) []string {
	var values []string
	head := data[leadingEmptyLines(data):]
	for i := 0; len(head) > 0; i++ {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		head = rest
		if len(line) == 0 {
			break
		}
		n, v, ok := bytes.Cut(line, []byte(":"))
		if i > 0 && ok && strings.EqualFold(string(n), name) {
			values = append(values, string(bytes.Trim(v, " \t")))
		}
	}
	return values
}

func isCTL(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }

// lastLine returns the last line of b without its line ending.
func lastLine(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return b
}
