package httpcore

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fixture turns a readable request into wire bytes: every "\n" becomes
// CRLF, "{LF}" is a bare line feed and "{CR}" a bare carriage return (a
// "\r" in the text stays one too). Write fixtures with "\n"; reach for the
// markers only where a case is about line endings.
func fixture(s string) string {
	s = strings.ReplaceAll(s, "\n", "\r\n")
	s = strings.ReplaceAll(s, "{LF}", "\n")
	return strings.ReplaceAll(s, "{CR}", "\r")
}

// parsed is what an accepted request must look like. Empty strings are
// checked too: a case states every field it cares about, and the zero value
// of the others is what an ordinary origin-form request produces.
type parsed struct {
	method, target, rawPath, path, query, host string
	minor                                      int
	// header maps a field name, in any case, to all its values in order.
	header map[string][]string
	// absent lists field names that must not be present.
	absent        []string
	contentLength int64
	body          string
	// rest is how many input bytes must remain unconsumed (pipelining).
	rest int
}

type acceptCase struct {
	name   string
	cfg    func(*Server) // limits; nil for the defaults
	raw    string        // a fixture
	expect parsed
}

type rejectCase struct {
	name   string
	cfg    func(*Server)
	raw    string // a fixture
	status int
}

// getReq is an ordinary GET of path on host h, in HTTP/1.1.
func getReq(path, query string) parsed {
	target := path
	if query != "" {
		target += "?" + query
	}
	return parsed{method: "GET", target: target, rawPath: path, path: path, query: query, host: "h", minor: 1}
}

// withParsed returns p changed by f.
func withParsed(p parsed, f func(*parsed)) parsed { f(&p); return p }

const chunkedPost = "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"

// chunkedReq is chunkedPost accepted with body, rest bytes left over.
func chunkedReq(body string, rest int) parsed {
	return parsed{method: "POST", target: "/up", rawPath: "/up", path: "/up", host: "h", minor: 1,
		contentLength: -1, body: body, rest: rest}
}

var acceptCases = []acceptCase{
	// Request line and request-target forms (RFC 9112, section 3).
	{"get_minimal", nil, "GET / HTTP/1.1\nHost: h\n\n", getReq("/", "")},
	{"http10_without_host", nil, "GET /x HTTP/1.0\n\n",
		parsed{method: "GET", target: "/x", rawPath: "/x", path: "/x"}},
	{"http10_with_host", nil, "GET /x HTTP/1.0\nHost: h\n\n",
		parsed{method: "GET", target: "/x", rawPath: "/x", path: "/x", host: "h"}},
	// RFC 9110, section 2.5: a later HTTP/1.x is processed as HTTP/1.1.
	{"version_http12_is_http11", nil, "GET / HTTP/1.2\nHost: h\n\n", getReq("/", "")},
	{"version_http19_chunked", nil, "POST /up HTTP/1.9\nHost: h\nTransfer-Encoding: chunked\n\n1\nx\n0\n\n",
		chunkedReq("x", 0)},
	{"method_is_case_sensitive_token", nil, "get / HTTP/1.1\nHost: h\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.method = "get" })},
	{"extension_method", nil, "PURGE /c HTTP/1.1\nHost: h\n\n",
		withParsed(getReq("/c", ""), func(p *parsed) { p.method = "PURGE" })},
	{"query", nil, "GET /search?q=a+b&x HTTP/1.1\nHost: h\n\n", getReq("/search", "q=a+b&x")},
	{"query_escapes_left_alone", nil, "GET /p?q=%zz%00 HTTP/1.1\nHost: h\n\n", getReq("/p", "q=%zz%00")},
	{"double_slash_is_a_path", nil, "GET //a//b HTTP/1.1\nHost: h\n\n", getReq("//a//b", "")},
	{"obs_text_in_path", nil, "GET /caf\xc3\xa9 HTTP/1.1\nHost: h\n\n", getReq("/caf\xc3\xa9", "")},
	{"percent_decoding", nil, "GET /a%2Fb%20c%e2%82%AC?x=%20 HTTP/1.1\nHost: h\n\n",
		withParsed(getReq("/a%2Fb%20c%e2%82%AC", "x=%20"), func(p *parsed) { p.path = "/a/b c€" })},
	{"percent_encoded_percent", nil, "GET /100%25 HTTP/1.1\nHost: h\n\n",
		withParsed(getReq("/100%25", ""), func(p *parsed) { p.path = "/100%" })},
	{"absolute_form", nil, "GET http://example.com/a%20b?x=1 HTTP/1.1\nHost: other\n\n",
		parsed{method: "GET", target: "http://example.com/a%20b?x=1", rawPath: "/a%20b", path: "/a b",
			query: "x=1", host: "example.com", minor: 1, header: map[string][]string{"host": {"other"}}}},
	{"absolute_form_empty_path", nil, "GET http://example.com HTTP/1.1\nHost: example.com\n\n",
		parsed{method: "GET", target: "http://example.com", rawPath: "/", path: "/", host: "example.com", minor: 1}},
	{"absolute_form_query_without_path", nil, "GET https://example.com:8443?q HTTP/1.1\nHost: x\n\n",
		parsed{method: "GET", target: "https://example.com:8443?q", rawPath: "/", path: "/", query: "q",
			host: "example.com:8443", minor: 1}},
	{"absolute_form_scheme_any_case", nil, "GET HTTP://[::1]:80/ HTTP/1.1\nHost: x\n\n",
		parsed{method: "GET", target: "HTTP://[::1]:80/", rawPath: "/", path: "/", host: "[::1]:80", minor: 1}},
	{"asterisk_form", nil, "OPTIONS * HTTP/1.1\nHost: h\n\n",
		parsed{method: "OPTIONS", target: "*", rawPath: "*", path: "*", host: "h", minor: 1}},

	// Line endings (RFC 9112, section 2.2).
	{"leading_crlf_skipped", nil, "\n\nGET / HTTP/1.1\nHost: h\n\n", getReq("/", "")},
	{"leading_bare_lf_skipped", nil, "{LF}{LF}GET / HTTP/1.1\nHost: h\n\n", getReq("/", "")},
	{"bare_lf_head", nil, "GET / HTTP/1.1{LF}Host: h{LF}{LF}", getReq("/", "")},
	{"mixed_line_ends", nil, "GET / HTTP/1.1{LF}Host: h\n{LF}", getReq("/", "")},
	{"bare_lf_head_then_crlf_end", nil, "GET / HTTP/1.1{LF}Host: h{LF}\n", getReq("/", "")},

	// Pipelining: the first request ends where its framing says.
	{"pipelined_get", nil, "GET /a HTTP/1.1\nHost: h\n\nGET /b HTTP/1.1\nHost: h\n\n",
		withParsed(getReq("/a", ""), func(p *parsed) { p.rest = len(fixture("GET /b HTTP/1.1\nHost: h\n\n")) })},
	{"pipelined_after_body", nil, "POST /a HTTP/1.1\nHost: h\nContent-Length: 3\n\nabcGET /b HTTP/1.1\n",
		parsed{method: "POST", target: "/a", rawPath: "/a", path: "/a", host: "h", minor: 1,
			contentLength: 3, body: "abc", rest: len(fixture("GET /b HTTP/1.1\n"))}},
	{"get_body_without_framing_is_next_request", nil, "GET / HTTP/1.1\nHost: h\n\nxyz",
		withParsed(getReq("/", ""), func(p *parsed) { p.rest = 3 })},

	// Header fields (RFC 9110, section 5; RFC 9112, section 5).
	{"header_lookup_folds_case", nil, "GET / HTTP/1.1\nHost: h\nX-Custom-Thing: v\n\n",
		withParsed(getReq("/", ""), func(p *parsed) {
			p.header = map[string][]string{"x-custom-thing": {"v"}, "X-CUSTOM-THING": {"v"}, "HOST": {"h"}}
			p.absent = []string{"x-custom", "x-custom-thing2"}
		})},
	{"repeated_fields_kept_in_order", nil, "GET / HTTP/1.1\nAccept: a\nHost: h\naccept: b\nACCEPT: c, d\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.header = map[string][]string{"Accept": {"a", "b", "c, d"}} })},
	{"value_ows_trimmed", nil, "GET / HTTP/1.1\nHost:\t h \t\nX: \t a \t b \t\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.header = map[string][]string{"x": {"a \t b"}} })},
	{"empty_value", nil, "GET / HTTP/1.1\nHost: h\nX:\nY:   \n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.header = map[string][]string{"x": {""}, "y": {""}} })},
	{"obs_text_value", nil, "GET / HTTP/1.1\nHost: h\nX: caf\xe9\xff\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.header = map[string][]string{"x": {"caf\xe9\xff"}} })},
	{"token_punctuation_name", nil, "GET / HTTP/1.1\nHost: h\n!#$%&'*+-.^_`|~09az: v\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.header = map[string][]string{"!#$%&'*+-.^_`|~09AZ": {"v"}} })},
	{"colon_in_value", nil, "GET / HTTP/1.1\nHost: h:8080\nX: a: b\n\n",
		withParsed(getReq("/", ""), func(p *parsed) {
			p.host = "h:8080"
			p.header = map[string][]string{"x": {"a: b"}}
		})},
	{"underscore_name_is_not_transfer_encoding", nil,
		"POST / HTTP/1.1\nHost: h\nTransfer_Encoding: chunked\n\n0\n\n",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1,
			header: map[string][]string{"transfer_encoding": {"chunked"}}, rest: len(fixture("0\n\n"))}},

	// Host (RFC 9112, section 3.2).
	{"host_empty_value", nil, "GET / HTTP/1.1\nHost:\n\n", withParsed(getReq("/", ""), func(p *parsed) { p.host = "" })},
	{"host_ipv6_port", nil, "GET / HTTP/1.1\nHost: [::1]:8080\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.host = "[::1]:8080" })},
	{"host_empty_port", nil, "GET / HTTP/1.1\nHost: h:\n\n", // RFC 3986, sections 3.2.3 and 6.2.3
		withParsed(getReq("/", ""), func(p *parsed) { p.host = "h:" })},
	{"host_ipv6_no_port", nil, "GET / HTTP/1.1\nHost: [::1]\n\n",
		withParsed(getReq("/", ""), func(p *parsed) { p.host = "[::1]" })},
	{"absolute_form_empty_port", nil, "GET http://example.com:/a HTTP/1.1\nHost: x\n\n",
		parsed{method: "GET", target: "http://example.com:/a", rawPath: "/a", path: "/a", host: "example.com:", minor: 1}},
	{"host_any_case", nil, "GET / HTTP/1.1\nhOsT: h\n\n", getReq("/", "")},

	// Content-Length (RFC 9110, section 8.6; RFC 9112, section 6.3).
	{"content_length", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 5\n\nhello",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 5, body: "hello"}},
	{"content_length_zero", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 0\n\n",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1}},
	{"content_length_repeated_same", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 3\ncontent-length: 3\n\nabc",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 3, body: "abc",
			header: map[string][]string{"Content-Length": {"3", "3"}}}},
	{"content_length_same_value_other_spelling", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 3\nContent-Length: 003\n\nabc",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 3, body: "abc"}},
	{"content_length_18_digits", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 000000000000000002\n\nab",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 2, body: "ab"}},
	{"content_length_ows", nil, "POST / HTTP/1.1\nHost: h\nContent-Length:\t2 \n\nab",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 2, body: "ab"}},
	{"http10_content_length", nil, "POST / HTTP/1.0\nContent-Length: 2\n\nab",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", contentLength: 2, body: "ab"}},

	// Chunked (RFC 9112, section 7.1).
	{"chunked", nil, chunkedPost + "3\nabc\n0\n\n", chunkedReq("abc", 0)},
	{"chunked_many_chunks_hex_sizes", nil, chunkedPost + "1\na\nA\n0123456789\nb\nabcdefghijk\n0\n\n",
		chunkedReq("a0123456789abcdefghijk", 0)},
	{"chunked_empty_body", nil, chunkedPost + "0\n\n", chunkedReq("", 0)},
	{"chunked_last_chunk_leading_zeros", nil, chunkedPost + "2\nab\n0000\n\n", chunkedReq("ab", 0)},
	{"chunked_size_leading_zeros", nil, chunkedPost + "00000000000000000000000003\nabc\n0\n\n", chunkedReq("abc", 0)},
	{"chunked_extensions", nil, chunkedPost + "3;name=value\nabc\n2;a=\"q;s\\\"x\";b\nde\n0;last=1\n\n",
		chunkedReq("abcde", 0)},
	{"chunked_extension_bws", nil, chunkedPost + "3 ; a = b\nabc\n0\t;x\n\n", chunkedReq("abc", 0)},
	{"chunked_size_trailing_ows", nil, chunkedPost + "3 \t\nabc\n0\n\n", chunkedReq("abc", 0)},
	{"chunked_trailers_discarded", nil, chunkedPost + "3\nabc\n0\nX-Checksum: 900150983cd2\nX-Other:  1 \n\n",
		withParsed(chunkedReq("abc", 0), func(p *parsed) { p.absent = []string{"X-Checksum", "X-Other"} })},
	{"chunked_data_may_hold_crlf", nil, chunkedPost + "4\n\n\n\n0\n\n", chunkedReq("\r\n\r\n", 0)},
	{"chunked_then_pipelined", nil, chunkedPost + "0\n\nGET /admin HTTP/1.1\nHost: h\n\n",
		chunkedReq("", len(fixture("GET /admin HTTP/1.1\nHost: h\n\n")))},
	{"chunked_any_case", nil, "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding: ChUnKeD\n\n1\nx\n0\n\n", chunkedReq("x", 0)},
	{"chunked_ows", nil, "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding:\t chunked \t\n\n1\nx\n0\n\n", chunkedReq("x", 0)},
	// RFC 9110, section 5.6.1: a recipient ignores empty list elements.
	{"chunked_empty_list_elements", nil, "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding: , chunked ,\n\n1\nx\n0\n\n",
		chunkedReq("x", 0)},

	// Expect (RFC 9110, section 10.1.1).
	{"expect_100_continue", nil, "POST / HTTP/1.1\nHost: h\nExpect: 100-Continue\nContent-Length: 1\n\nx",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 1, body: "x"}},
	{"expect_100_continue_http10_ignored", nil, "GET / HTTP/1.0\nExpect: 100-continue\n\n",
		parsed{method: "GET", target: "/", rawPath: "/", path: "/"}},

	// Limits at their bounds. The request line's length counts its CR.
	{"request_line_at_limit", func(s *Server) { s.MaxRequestLineBytes = len("GET /xxxxxxxx HTTP/1.1\r") },
		"GET /xxxxxxxx HTTP/1.1\nHost: h\n\n", getReq("/xxxxxxxx", "")},
	{"fields_at_limit", func(s *Server) { s.MaxHeaderFields = 3 },
		"GET / HTTP/1.1\nHost: h\nA: 1\nB: 2\n\n", getReq("/", "")},
	{"fields_at_limit", func(s *Server) { s.MaxHeaderFields = 3 },
		"GET / HTTP/1.1\nHost: h\nA: 1\nB: 2\n\n", withParsed(getReq("/", ""), func(p *parsed) {
			p.header = map[string][]string{"a": {"1"}, "b": {"2"}}
		})},
	// A conformance run sends 100 fields besides Host; net/http and nginx
	// accept them.
	{"hundred_fields_and_host_default", nil,
		"GET / HTTP/1.1\nHost: h\n" + strings.Repeat("A: 1\n", 100) + "\n", getReq("/", "")},
	{"head_at_limit", func(s *Server) { s.MaxHeaderBytes = len(fixture("GET / HTTP/1.1\nHost: h\n\n")) },
		"GET / HTTP/1.1\nHost: h\n\n", getReq("/", "")},
	{"body_at_limit", func(s *Server) { s.MaxBodyBytes = 4 },
		"POST / HTTP/1.1\nHost: h\nContent-Length: 4\n\nabcd",
		parsed{method: "POST", target: "/", rawPath: "/", path: "/", host: "h", minor: 1, contentLength: 4, body: "abcd"}},
	{"chunked_body_at_limit", func(s *Server) { s.MaxBodyBytes = 4 },
		chunkedPost + "2\nab\n2\ncd\n0\n\n", chunkedReq("abcd", 0)},
	{"limits_off", func(s *Server) {
		s.MaxRequestLineBytes, s.MaxHeaderBytes, s.MaxHeaderFields, s.MaxBodyBytes = -1, -1, -1, -1
	}, "GET /" + strings.Repeat("a", 20000) + " HTTP/1.1\nHost: h\n" + strings.Repeat("X: y\n", 500) + "\n",
		withParsed(getReq("/"+strings.Repeat("a", 20000), ""), func(p *parsed) { p.header = map[string][]string{"host": {"h"}} })},
}

var rejectCases = []rejectCase{
	// Request line (RFC 9112, section 3).
	{"empty_request_line_then_space", nil, "\n / HTTP/1.1\nHost: h\n\n", 400},
	{"leading_space", nil, " GET / HTTP/1.1\nHost: h\n\n", 400},
	{"two_spaces_after_method", nil, "GET  / HTTP/1.1\nHost: h\n\n", 400},
	{"two_spaces_before_version", nil, "GET /  HTTP/1.1\nHost: h\n\n", 400},
	{"trailing_space", nil, "GET / HTTP/1.1 \nHost: h\n\n", 400},
	{"tab_separators", nil, "GET\t/\tHTTP/1.1\nHost: h\n\n", 400},
	{"space_in_target", nil, "GET /a b HTTP/1.1\nHost: h\n\n", 400},
	{"missing_version", nil, "GET /\nHost: h\n\n", 400},
	{"missing_target", nil, "GET HTTP/1.1\nHost: h\n\n", 400},
	{"empty_target", nil, "GET  HTTP/1.1\nHost: h\n\n", 400},
	{"method_separator_char", nil, "GE(T / HTTP/1.1\nHost: h\n\n", 400},
	{"method_nul", nil, "GE\x00T / HTTP/1.1\nHost: h\n\n", 400},
	{"method_obs_text", nil, "G\xc9T / HTTP/1.1\nHost: h\n\n", 400},
	{"bare_cr_in_request_line", nil, "GET /\r HTTP/1.1\nHost: h\n\n", 400},
	{"request_line_ends_cr_cr", nil, "GET / HTTP/1.1\r\nHost: h\n\n", 400},
	{"lone_cr_line_before_request", nil, "{CR}GET / HTTP/1.1\nHost: h\n\n", 400},
	{"version_lowercase", nil, "GET / http/1.1\nHost: h\n\n", 400},
	{"version_garbage", nil, "GET / HTTP/1.1x\nHost: h\n\n", 400},
	{"version_two_digit_major", nil, "GET / HTTP/11.1\nHost: h\n\n", 400},
	{"version_missing_minor", nil, "GET / HTTP/1.\nHost: h\n\n", 400},
	{"version_nul", nil, "GET / HTTP/1.\x00\nHost: h\n\n", 400},
	{"version_http2", nil, "GET / HTTP/2.0\nHost: h\n\n", 505},
	{"version_http2_short", nil, "GET / HTTP/2\nHost: h\n\n", 505},
	{"version_http3", nil, "GET / HTTP/3\nHost: h\n\n", 505},
	{"version_major_only_1", nil, "GET / HTTP/1\nHost: h\n\n", 400},
	{"version_http12_without_host", nil, "GET / HTTP/1.2\n\n", 400}, // as HTTP/1.1: Host is required
	{"version_http09", nil, "GET / HTTP/0.9\nHost: h\n\n", 505},
	{"h2_preface", nil, "PRI * HTTP/2.0\n\nSM\n\n", 505},
	{"connect", nil, "CONNECT example.com:443 HTTP/1.1\nHost: example.com:443\n\n", 501},
	{"connect_origin_form", nil, "CONNECT /rpc HTTP/1.1\nHost: h\n\n", 501},
	{"asterisk_not_options", nil, "GET * HTTP/1.1\nHost: h\n\n", 400},
	{"asterisk_with_query", nil, "OPTIONS *?x HTTP/1.1\nHost: h\n\n", 400},
	{"relative_target", nil, "GET a/b HTTP/1.1\nHost: h\n\n", 400},
	{"fragment_in_target", nil, "GET /a#b HTTP/1.1\nHost: h\n\n", 400},
	{"del_in_target", nil, "GET /a\x7fb HTTP/1.1\nHost: h\n\n", 400},
	{"ctl_in_target", nil, "GET /a\x01b HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_other_scheme", nil, "GET ftp://h/x HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_without_slashes", nil, "GET http:/x HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_opaque", nil, "GET http:h HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_empty_host", nil, "GET http:///x HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_scheme_only", nil, "GET http:// HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_userinfo", nil, "GET http://u:p@h/ HTTP/1.1\nHost: h\n\n", 400},
	{"absolute_bad_host_char", nil, "GET http://h<x>/ HTTP/1.1\nHost: h\n\n", 400},
	{"percent_bad_hex", nil, "GET /a%zz HTTP/1.1\nHost: h\n\n", 400},
	{"percent_one_digit", nil, "GET /a%2 HTTP/1.1\nHost: h\n\n", 400},
	{"percent_at_end", nil, "GET /a% HTTP/1.1\nHost: h\n\n", 400},
	{"percent_short_before_query", nil, "GET /a%4?x HTTP/1.1\nHost: h\n\n", 400},
	{"percent_nul", nil, "GET /a%00b HTTP/1.1\nHost: h\n\n", 400},
	{"percent_nul_absolute_form", nil, "GET http://h/%00 HTTP/1.1\nHost: h\n\n", 400},
	{"request_line_too_long", func(s *Server) { s.MaxRequestLineBytes = len("GET /xxxxxxxx HTTP/1.1\r") - 1 },
		"GET /xxxxxxxx HTTP/1.1\nHost: h\n\n", 414},
	{"request_line_too_long_unfinished", func(s *Server) { s.MaxRequestLineBytes = 64 },
		"GET /" + strings.Repeat("x", 100), 414},
	{"request_line_too_long_default", nil, "GET /" + strings.Repeat("x", DefaultMaxRequestLineBytes) + " HTTP/1.1\nHost: h\n\n", 414},

	// Field lines (RFC 9112, section 5; RFC 9110, section 5.5).
	{"space_before_colon", nil, "GET / HTTP/1.1\nHost : h\n\n", 400},
	{"tab_before_colon", nil, "GET / HTTP/1.1\nHost: h\nX\t: v\n\n", 400},
	{"obs_fold", nil, "GET / HTTP/1.1\nHost: h\nX: a\n b\n\n", 400},
	{"obs_fold_tab", nil, "GET / HTTP/1.1\nHost: h\nX: a\n\tb\n\n", 400},
	{"whitespace_before_first_field", nil, "GET / HTTP/1.1\n Host: h\n\n", 400},
	{"lf_in_value_then_fold", nil, "GET / HTTP/1.1\nHost: h\nX: a{LF} b\n\n", 400},
	{"bare_cr_in_value", nil, "GET / HTTP/1.1\nHost: h\nX: a{CR}b\n\n", 400},
	{"bare_cr_ends_value", nil, "GET / HTTP/1.1\nHost: h\nX: a{CR}\n\n", 400},
	{"bare_cr_line", nil, "GET / HTTP/1.1\nHost: h\n{CR}\n\n", 400},
	{"nul_in_value", nil, "GET / HTTP/1.1\nHost: h\nX: a\x00b\n\n", 400},
	{"ctl_in_value", nil, "GET / HTTP/1.1\nHost: h\nX: a\x01b\n\n", 400},
	{"vt_in_value", nil, "GET / HTTP/1.1\nHost: h\nX: \x0bb\n\n", 400},
	{"del_in_value", nil, "GET / HTTP/1.1\nHost: h\nX: a\x7f\n\n", 400},
	{"cr_in_name", nil, "GET / HTTP/1.1\nHost: h\nX{CR}Y: v\n\n", 400},
	{"nul_in_name", nil, "GET / HTTP/1.1\nHost: h\nX\x00: v\n\n", 400},
	{"no_colon", nil, "GET / HTTP/1.1\nHost: h\nX-Foo\n\n", 400},
	{"empty_name", nil, "GET / HTTP/1.1\nHost: h\n: v\n\n", 400},
	{"separator_in_name", nil, "GET / HTTP/1.1\nHost: h\nX(1): v\n\n", 400},
	{"obs_text_in_name", nil, "GET / HTTP/1.1\nHost: h\nX\xe9: v\n\n", 400},

	// Host (RFC 9112, section 3.2).
	{"http11_without_host", nil, "GET / HTTP/1.1\n\n", 400},
	{"http11_absolute_form_without_host", nil, "GET http://h/ HTTP/1.1\n\n", 400},
	{"two_hosts", nil, "GET / HTTP/1.1\nHost: a\nHost: b\n\n", 400},
	{"two_equal_hosts", nil, "GET / HTTP/1.1\nHost: a\nhost: a\n\n", 400},
	{"two_hosts_http10", nil, "GET / HTTP/1.0\nHost: a\nHost: b\n\n", 400},
	{"host_with_space", nil, "GET / HTTP/1.1\nHost: a b\n\n", 400},
	{"host_with_slash", nil, "GET / HTTP/1.1\nHost: a/b\n\n", 400},
	{"host_with_userinfo", nil, "GET / HTTP/1.1\nHost: u@a\n\n", 400},
	// RFC 9112, section 3.2 and RFC 3986, section 3.2: port = *DIGIT;
	// brackets only around an IP-literal; no colon in a name.
	{"host_port_letters", nil, "GET / HTTP/1.1\nHost: example.com:abc\n\n", 400},
	{"host_port_trailing_letter", nil, "GET / HTTP/1.1\nHost: example.com:80x\n\n", 400},
	{"host_two_ports", nil, "GET / HTTP/1.1\nHost: example.com:80:80\n\n", 400},
	{"host_port_sign", nil, "GET / HTTP/1.1\nHost: example.com:+80\n\n", 400},
	{"host_ipv6_bad_port", nil, "GET / HTTP/1.1\nHost: [::1]:x\n\n", 400},
	{"host_ipv6_junk_after", nil, "GET / HTTP/1.1\nHost: [::1]x\n\n", 400},
	{"host_ipv6_unclosed", nil, "GET / HTTP/1.1\nHost: [::1\n\n", 400},
	{"host_bracket_in_name", nil, "GET / HTTP/1.1\nHost: a]b\n\n", 400},
	{"host_ipv6_unbracketed", nil, "GET / HTTP/1.1\nHost: ::1\n\n", 400},
	{"absolute_form_port_letters", nil, "GET http://example.com:abc/ HTTP/1.1\nHost: x\n\n", 400},

	// Content-Length (RFC 9110, section 8.6; RFC 9112, section 6.3).
	{"cl_plus", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: +5\n\nhello", 400},
	{"cl_negative", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: -1\n\n", 400},
	{"cl_inner_space", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 5 5\n\nhello", 400},
	{"cl_hex", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 0x5\n\nhello", 400},
	{"cl_underscore", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 1_0\n\n", 400},
	{"cl_decimal_point", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 5.0\n\nhello", 400},
	{"cl_empty", nil, "POST / HTTP/1.1\nHost: h\nContent-Length:\n\n", 400},
	{"cl_19_digits", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 0000000000000000005\n\nhello", 400},
	{"cl_overflow", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 18446744073709551621\n\nhello", 400},
	{"cl_list", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 5, 5\n\nhello", 400},
	{"cl_non_ascii_digit", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: \xd9\xa3\n\nabc", 400},
	{"cl_conflict", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 5\nContent-Length: 6\n\nhello!", 400},
	{"cl_body_truncated", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 10\n\nhello", 400},

	// Transfer-Encoding (RFC 9112, sections 6.1 and 6.3).
	{"smuggle_cl_te", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\n\nX", 400},
	{"smuggle_te_cl", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nContent-Length: 3\n\n8\nSMUGGLED\n0\n\n", 400},
	{"smuggle_cl_zero_te", nil, "POST / HTTP/1.1\nHost: h\nContent-Length: 0\nTransfer-Encoding: chunked\n\n0\n\n", 400},
	{"smuggle_te_unknown_and_cl", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip\nContent-Length: 3\n\nabc", 400},
	{"smuggle_te_te_chunked_twice", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked, chunked\n\n0\n\n", 400},
	{"smuggle_te_te_two_fields", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n0\n\n", 400},
	{"smuggle_te_te_chunked_then_other", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nTransfer-Encoding: x\n\n0\n\n", 400},
	{"smuggle_te_te_chunked_identity", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked, identity\n\n0\n\n", 400},
	{"smuggle_te_te_unknown_chunked_unknown", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip, chunked, gzip\n\n0\n\n", 400},
	{"smuggle_te_te_xchunked", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: xchunked\n\n0\n\n", 501},
	{"smuggle_te_te_space_before_colon", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding : chunked\n\n0\n\n", 400},
	{"smuggle_te_te_leading_space", nil, "POST / HTTP/1.1\nHost: h\n Transfer-Encoding: chunked\n\n0\n\n", 400},
	{"smuggle_te_te_folded", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding:\n chunked\n\n0\n\n", 400},
	{"smuggle_te_te_name_split", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding\n: chunked\n\n0\n\n", 400},
	{"smuggle_te_te_vt", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: \x0bchunked\n\n0\n\n", 400},
	{"smuggle_te_te_nul", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\x00\n\n0\n\n", 400},
	{"smuggle_te_te_quoted", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: \"chunked\"\n\n0\n\n", 501},
	{"smuggle_te_te_parameter", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked;q=1\n\n0\n\n", 501},
	{"te_empty", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding:\n\n", 400},
	{"te_only_commas", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: , ,\n\n", 400},
	{"te_gzip", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip\n\n", 501},
	{"te_identity", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: identity\n\n", 501},
	{"te_gzip_chunked", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip, chunked\n\n0\n\n", 501},
	// One Transfer-Encoding field line at most, whatever the lines say.
	{"te_gzip_then_chunked_fields", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n0\n\n", 400},
	{"te_empty_then_chunked_fields", nil, "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding:\nTransfer-Encoding: chunked\n\n1\nx\n0\n\n", 400},
	{"te_chunked_then_empty_field", nil, "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nTransfer-Encoding:\n\n1\nx\n0\n\n", 400},
	{"te_two_fields_other_case", nil, "POST /up HTTP/1.1\nHost: h\ntransfer-encoding: chunked\nTRANSFER-ENCODING: chunked\n\n0\n\n", 400},
	{"te_chunked_gzip", nil, "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked, gzip\n\n0\n\n", 400},
	{"te_http10", nil, "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n0\n\n", 400},
	{"te_http10_with_cl", nil, "POST / HTTP/1.0\nContent-Length: 3\nTransfer-Encoding: chunked\n\nabc", 400},

	// Chunked framing (RFC 9112, section 7.1).
	{"chunk_size_overflow", nil, chunkedPost + "ffffffffffffffffff\nabc\n0\n\n", 400},
	{"chunk_size_wraps_to_small", nil, chunkedPost + "10000000000000003\nabc\n0\n\n", 400},
	{"chunk_size_2_pow_60", nil, chunkedPost + "1000000000000000\nabc\n0\n\n", 400},
	{"chunk_size_negative", nil, chunkedPost + "-3\nabc\n0\n\n", 400},
	{"chunk_size_plus", nil, chunkedPost + "+3\nabc\n0\n\n", 400},
	{"chunk_size_leading_space", nil, chunkedPost + " 3\nabc\n0\n\n", 400},
	{"chunk_size_inner_space", nil, chunkedPost + "1 2\nabc\n0\n\n", 400},
	{"chunk_size_0x", nil, chunkedPost + "0x3\nabc\n0\n\n", 400},
	{"chunk_size_empty", nil, chunkedPost + "\nabc\n0\n\n", 400},
	{"chunk_size_not_hex", nil, chunkedPost + "g\nabc\n0\n\n", 400},
	{"chunk_size_bare_lf", nil, chunkedPost + "3{LF}abc\n0\n\n", 400},
	{"chunk_size_bare_cr", nil, chunkedPost + "3{CR}abc\n0\n\n", 400},
	{"chunk_size_cr_inside", nil, chunkedPost + "3{CR};x\nabc\n0\n\n", 400},
	{"chunk_data_bare_lf", nil, chunkedPost + "3\nabc{LF}0\n\n", 400},
	{"chunk_data_longer_than_size", nil, chunkedPost + "3\nabcd\n0\n\n", 400},
	{"chunk_data_shorter_than_size", nil, chunkedPost + "5\nabc\n0\n\n", 400},
	{"chunk_data_without_crlf", nil, chunkedPost + "3\nabc0\n\n", 400},
	{"last_chunk_bare_lf", nil, chunkedPost + "0{LF}\n", 400},
	{"final_crlf_bare_lf", nil, chunkedPost + "0\n{LF}", 400},
	{"last_chunk_missing", nil, chunkedPost + "3\nabc\n", 400},
	{"final_crlf_missing", nil, chunkedPost + "3\nabc\n0\n", 400},
	{"chunk_ext_ctl", nil, chunkedPost + "3;a=\x01\nabc\n0\n\n", 400},
	{"chunk_ext_nul", nil, chunkedPost + "3;a\x00\nabc\n0\n\n", 400},
	{"chunk_ext_without_semicolon", nil, chunkedPost + "3 a\nabc\n0\n\n", 400},
	{"chunk_line_too_long", nil, chunkedPost + "3;" + strings.Repeat("x", 5000) + "\nabc\n0\n\n", 400},
	// A long chunk line that arrives after a long head (so the buffer has
	// already grown to hold it) is still refused.
	{"chunk_line_too_long_in_grown_buffer", nil, "POST /up HTTP/1.1\nHost: h\nX-Pad: " + strings.Repeat("p", 10000) +
		"\nTransfer-Encoding: chunked\n\n3;" + strings.Repeat("x", 4200) + "\nabc\n0\n\n", 400},
	{"trailer_obs_fold", nil, chunkedPost + "0\nX: a\n b\n\n", 400},
	{"trailer_space_before_colon", nil, chunkedPost + "0\nX : a\n\n", 400},
	{"trailer_no_colon", nil, chunkedPost + "0\nX\n\n", 400},
	{"trailer_ctl", nil, chunkedPost + "0\nX: a\x01\n\n", 400},
	{"trailer_bare_lf", nil, chunkedPost + "0\nX: a{LF}\n", 400},
	{"trailer_too_large", func(s *Server) { s.MaxHeaderBytes = 128 },
		chunkedPost + "0\n" + strings.Repeat("X: 0123456789abcdef\n", 8) + "\n", 431},

	// Expect (RFC 9110, section 10.1.1).
	{"expect_other", nil, "POST / HTTP/1.1\nHost: h\nExpect: foo\nContent-Length: 1\n\nx", 417},
	{"expect_continue_and_other", nil, "POST / HTTP/1.1\nHost: h\nExpect: 100-continue, foo\n\n", 417},
	{"expect_empty", nil, "POST / HTTP/1.1\nHost: h\nExpect:\n\n", 417},
	{"expect_other_http10", nil, "GET / HTTP/1.0\nExpect: 200-ok\n\n", 417},

	// Limits set small on the Server.
	{"head_too_large", func(s *Server) { s.MaxHeaderBytes = 64 },
		"GET / HTTP/1.1\nHost: h\nX: " + strings.Repeat("y", 64) + "\n\n", 431},
	{"head_too_large_by_one", func(s *Server) { s.MaxHeaderBytes = len(fixture("GET / HTTP/1.1\nHost: h\n\n")) - 1 },
		"GET / HTTP/1.1\nHost: h\n\n", 431},
	{"head_too_large_unfinished", func(s *Server) { s.MaxHeaderBytes = 64 },
		"GET / HTTP/1.1\nHost: h\nX: " + strings.Repeat("y", 100), 431},
	{"head_too_large_default", nil,
		"GET / HTTP/1.1\nHost: h\n" + strings.Repeat("X-Filler: "+strings.Repeat("y", 1000)+"\n", 40) + "\n", 431},
	{"too_many_fields", func(s *Server) { s.MaxHeaderFields = 3 },
		"GET / HTTP/1.1\nHost: h\nA: 1\nB: 2\nC: 3\n\n", 431}, // 4 fields
	{"too_many_fields_default", nil,
		"GET / HTTP/1.1\nHost: h\n" + strings.Repeat("A: 1\n", DefaultMaxHeaderFields) + "\n", 431},
	{"body_over_limit", func(s *Server) { s.MaxBodyBytes = 4 },
		"POST / HTTP/1.1\nHost: h\nContent-Length: 5\n\nhello", 413},
	{"body_over_limit_unsent", func(s *Server) { s.MaxBodyBytes = 4 },
		"POST / HTTP/1.1\nHost: h\nContent-Length: 1000000\n\n", 413},
	{"body_over_default_limit", nil,
		"POST / HTTP/1.1\nHost: h\nContent-Length: " + strconv.Itoa(DefaultMaxBodyBytes+1) + "\n\n", 413},
	{"chunked_over_limit", func(s *Server) { s.MaxBodyBytes = 4 },
		chunkedPost + "2\nab\n3\ncde\n0\n\n", 413},
	{"chunked_huge_chunk_over_limit", func(s *Server) { s.MaxBodyBytes = 4 },
		chunkedPost + "fffffffffff\n" + strings.Repeat("x", 100), 413},
}

// parseServer is a Server with the defaults changed by cfg.
func parseServer(cfg func(*Server)) *Server {
	s := &Server{}
	if cfg != nil {
		cfg(s)
	}
	return s
}

func TestParseAccept(t *testing.T) {
	t.Parallel()
	for _, tc := range acceptCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkAccepted(t, parseServer(tc.cfg), []byte(fixture(tc.raw)), tc.expect)
		})
	}
}

func TestParseReject(t *testing.T) {
	t.Parallel()
	for _, tc := range rejectCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkRejected(t, parseServer(tc.cfg), []byte(fixture(tc.raw)), tc.status)
		})
	}
}

func checkAccepted(t *testing.T, srv *Server, raw []byte, want parsed) {
	t.Helper()
	req, body, consumed, err := parseRaw(srv, raw)
	if err != nil {
		t.Fatalf("parse %q: %v (status %d), want success", raw, err, StatusOf(err))
	}
	str := func(name string, got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	str("Method", req.Method, want.method)
	str("Target", req.Target, want.target)
	str("RawPath", req.RawPath, want.rawPath)
	str("Path", req.Path, want.path)
	str("Query", req.Query, want.query)
	str("Host", req.Host, want.host)
	str("body", body, want.body)
	if req.ProtoMinor != want.minor {
		t.Errorf("ProtoMinor = %d, want %d", req.ProtoMinor, want.minor)
	}
	if req.ContentLength != want.contentLength {
		t.Errorf("ContentLength = %d, want %d", req.ContentLength, want.contentLength)
	}
	for name, values := range want.header {
		var got []string
		req.Header.Values(name, func(v []byte) { got = append(got, string(v)) })
		if !slices.Equal(got, values) {
			t.Errorf("Header.Values(%q) = %q, want %q", name, got, values)
		}
		if n := req.Header.Count(name); n != len(values) {
			t.Errorf("Header.Count(%q) = %d, want %d", name, n, len(values))
		}
		if g := req.Header.Get(name); string(g) != values[0] || !req.Header.Has(name) {
			t.Errorf("Header.Get(%q) = %q, want %q", name, g, values[0])
		}
	}
	for _, name := range want.absent {
		if req.Header.Has(name) || req.Header.Get(name) != nil || req.Header.Count(name) != 0 {
			t.Errorf("Header has %q, want it absent", name)
		}
	}
	if rest := len(raw) - consumed; rest != want.rest {
		t.Errorf("consumed %d of %d bytes, leaving %d, want %d left", consumed, len(raw), rest, want.rest)
	}
}

func checkRejected(t *testing.T, srv *Server, raw []byte, status int) {
	t.Helper()
	req, body, _, err := parseRaw(srv, raw)
	if err == nil {
		t.Fatalf("parse %q: accepted %s %s (body %q), want status %d", raw, req.Method, req.Target, body, status)
	}
	if got := StatusOf(err); got != status {
		t.Fatalf("parse %q: %v, status %d, want %d", raw, err, got, status)
	}
}

func TestQueryNilWhenAbsent(t *testing.T) {
	t.Parallel()
	srv := &Server{}
	req, _, _, err := parseRaw(srv, []byte(fixture("GET /a HTTP/1.1\nHost: h\n\n")))
	if err != nil || req.Query != nil {
		t.Fatalf("GET /a: Query = %q, %v; want nil", req.Query, err)
	}
	req, _, _, err = parseRaw(srv, []byte(fixture("GET /a? HTTP/1.1\nHost: h\n\n")))
	if err != nil || req.Query == nil || len(req.Query) != 0 {
		t.Fatalf("GET /a?: Query = %q, %v; want empty, not nil", req.Query, err)
	}
}

// TestRefusalEndsConnection: once a request is refused, nothing after it on
// the connection is read as a request. Smuggling needs the bytes after a
// request that two parsers frame differently to be taken for the next
// request; here they are never served (RFC 9112, sections 6.1 and 6.3:
// close after responding).
func TestRefusalEndsConnection(t *testing.T) {
	t.Parallel()
	const next = "GET /smuggled HTTP/1.1\nHost: h\n\n"
	cases := []struct {
		name   string
		raw    string // a fixture; next follows it
		status int    // 0: served, and so is next
	}{
		{"control_content_length", "POST / HTTP/1.1\nHost: h\nContent-Length: 3\n\nabc", 0},
		{"control_chunked", chunkedPost + "3\nabc\n0\n\n", 0},
		{"smuggle_cl_te", "POST / HTTP/1.1\nHost: h\nContent-Length: 5\nTransfer-Encoding: chunked\n\n0\n\n", 400},
		{"smuggle_te_cl", "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nContent-Length: 5\n\n0\n\n", 400},
		{"smuggle_te_te", "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nTransfer-Encoding: x\n\n0\n\n", 400},
		{"te_unknown", "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip\n\n0\n\n", 501},
		{"te_http10", "POST / HTTP/1.0\nConnection: keep-alive\nTransfer-Encoding: chunked\n\n0\n\n", 400},
		{"cl_conflict", "POST / HTTP/1.1\nHost: h\nContent-Length: 0\nContent-Length: 5\n\n", 400},
		{"obs_fold", "POST / HTTP/1.1\nHost: h\nX: a\n Content-Length: 0\n\n", 400},
		{"chunk_bare_lf", chunkedPost + "3\nabc{LF}0\n\n", 400},
		{"chunk_size_overflow", chunkedPost + "10000000000000003\nabc\n0\n\n", 400},
		{"trailer_obs_fold", chunkedPost + "0\nX: a\n b\n\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var served []string
			srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				io.Copy(io.Discard, r.Body)
				served = append(served, string(r.Path))
				w.Write([]byte("ok"))
			})}
			srv.init()
			fc := &fakeConn{in: bytes.NewReader([]byte(fixture(tc.raw + next)))}
			c := newConn(srv, fc)
			srv.trackConn(c, true)
			srv.open.Add(1)
			c.serve() // returns at EOF or after an error response
			var statuses []int
			br := bufio.NewReader(&fc.out)
			for {
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					break
				}
				io.Copy(io.Discard, res.Body)
				statuses = append(statuses, res.StatusCode)
			}
			if tc.status == 0 {
				if !slices.Equal(statuses, []int{200, 200}) || len(served) != 2 || served[1] != "/smuggled" {
					t.Fatalf("responses %v, served %q; want 200 twice", statuses, served)
				}
				return
			}
			if len(statuses) != 1 || statuses[0] != tc.status || slices.Contains(served, "/smuggled") {
				t.Fatalf("responses %v, served %q; want one %d and nothing more", statuses, served, tc.status)
			}
		})
	}
}
