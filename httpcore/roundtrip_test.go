package httpcore

import (
	"io"
	"net"
	"testing"
	"time"
)

// browserGET is a typical browser request: about ten header fields.
const browserGET = "GET /hello?lang=en HTTP/1.1\r\n" +
	"Host: localhost:8080\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=3f2a9c1e7b; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Priority: u=0, i\r\n\r\n"

var helloBody = []byte("Hello, World!")

var hello = HandlerFunc(func(w *ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
})

// roundTripper sends a fixed request on one keep-alive connection and
// reads the fixed-size response, allocating nothing itself.
type roundTripper struct {
	c    net.Conn
	req  []byte
	resp []byte // scratch, sized to the response
}

func newRoundTripper(t testing.TB, addr, req string, copies int) *roundTripper {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// Learn the response size from a first exchange of one request.
	c.Write([]byte(req))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64<<10)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Time{})
	var all []byte
	for range copies {
		all = append(all, req...)
	}
	return &roundTripper{c: c, req: all, resp: make([]byte, copies*n)}
}

func (rt *roundTripper) do(t testing.TB) {
	if _, err := rt.c.Write(rt.req); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rt.c, rt.resp); err != nil {
		t.Fatal(err)
	}
}
