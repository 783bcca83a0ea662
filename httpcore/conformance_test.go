package httpcore

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

// TestLaterHTTP1MinorServedAsHTTP11: HTTP/1.2 is answered in HTTP/1.1 and
// keeps the connection alive, as HTTP/1.1 would (RFC 9110, section 2.5).
func TestLaterHTTP1MinorServedAsHTTP11(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /a HTTP/1.2\nHost: x\n\nGET /b HTTP/1.9\nHost: x\n\n"))
	for _, want := range []string{"GET /a  ", "GET /b  "} {
		res, body := readResponse(t, br, "GET")
		if res.StatusCode != 200 || res.Proto != "HTTP/1.1" || res.Close || body != want {
			t.Fatalf("%s %d close %v %q, want HTTP/1.1 200 kept alive %q", res.Proto, res.StatusCode, res.Close, body, want)
		}
	}
}

// TestConformanceOverSocket: the answers a conformance run checks, through
// a real connection: each refused request gets its status and a close.
func TestConformanceOverSocket(t *testing.T) {
	t.Parallel()
	runConformance(t, startServer(t, &Server{Handler: echo}), dial)
}

// runConformance runs the socket-level cases against addr, each on a new
// connection from dial (plain TCP, or TLS in tls_test.go).
func runConformance(t *testing.T, addr string, dial func(testing.TB, string) (net.Conn, *bufio.Reader)) {
	cases := []struct {
		name string
		req  string
		want int
	}{
		{"host_port_letters", "GET / HTTP/1.1\nHost: example.com:abc\n\n", 400},
		{"host_empty_port", "GET / HTTP/1.1\nHost: example.com:\n\n", 200},
		{"host_port_digits", "GET / HTTP/1.1\nHost: example.com:8080\n\n", 200},
		{"two_te_fields", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n0\n\n", 400},
		{"two_te_fields_gzip_first", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n0\n\n", 400},
		{"one_te_field_list", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked\n\n0\n\n", 501},
		{"hundred_fields_and_host", "GET / HTTP/1.1\nHost: x\n" + strings.Repeat("X-A: 1\n", 100) + "\n", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, br := dial(t, addr)
			io.WriteString(c, wire(tc.req))
			res, _ := readResponse(t, br, "GET")
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want != 200 {
				expectClosed(t, c, br)
			}
		})
	}
}

// TestValidHostMatchesGrammar: validHost agrees with the fuzz test's
// independent reading of the grammar (byte set and hostShape) on every
// string of up to four bytes over the bytes that matter.
func TestValidHostMatchesGrammar(t *testing.T) {
	t.Parallel()
	const alphabet = "a1:[]%.@ "
	var walk func(prefix string)
	walk = func(h string) {
		want := validHostHeader(h) && hostShape.MatchString(h)
		if got := validHost([]byte(h)); got != want {
			t.Errorf("validHost(%q) = %v, want %v", h, got, want)
		}
		if len(h) == 4 {
			return
		}
		for i := range len(alphabet) {
			walk(h + alphabet[i:i+1])
		}
	}
	walk("")
}
