package httpcore

import (
	"io"
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
