package httpcore

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"strconv"
	"testing"
)

// TestReadBodyAllocatesWhatArrives: a declared Content-Length is not
// allocated before its bytes come. A client declaring 8 MiB and sending
// ten bytes costs the server about what it sent. Not parallel: it reads
// the process's allocation counter.
func TestReadBodyAllocatesWhatArrives(t *testing.T) {
	h := HandlerFunc(func(w *ResponseWriter, r *Request) { r.ReadBody() })
	addr := startServer(t, &Server{Handler: h, MaxBodyBytes: 64 << 20})
	c, br := dial(t, addr)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: 8388608\n\n")+"0123456789")
	c.(*net.TCPConn).CloseWrite()
	res, _ := readResponse(t, br, "POST")
	runtime.ReadMemStats(&after)
	if res.StatusCode != 400 {
		t.Fatalf("status %d, want 400 (body ended early)", res.StatusCode)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("%d bytes allocated for a 10-byte body declared as 8 MiB", n)
	}
}

// TestLargeBodyBufferNotKept: after a large body, the connection keeps no
// buffer larger than keepBodyBuf for its next request.
func TestLargeBodyBufferNotKept(t *testing.T) {
	t.Parallel()
	kept := make(chan int, 1)
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Method) == "GET" {
			kept <- cap(r.c.bodyBuf)
			return
		}
		b, _ := r.ReadBody()
		w.Write([]byte(strconv.Itoa(len(b))))
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	body := bytes.Repeat([]byte("z"), 1<<20)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: "+strconv.Itoa(len(body))+"\n\n"))
	c.Write(body)
	if _, got := readResponse(t, br, "POST"); got != strconv.Itoa(len(body)) {
		t.Fatalf("handler read %s bytes, want %d", got, len(body))
	}
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	readResponse(t, br, "GET")
	if n := <-kept; n > keepBodyBuf {
		t.Fatalf("connection kept a %d-byte body buffer, want at most %d", n, keepBodyBuf)
	}
}
