package httpcore

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"
)

// TestLingeringCloseDeliversResponse: a client that sends a large body
// (past discardLimit) to a handler that ignores it, and reads only once it
// has sent everything, still gets the whole response: the server closes
// its sending side and drains the rest instead of resetting the connection.
func TestLingeringCloseDeliversResponse(t *testing.T) {
	t.Parallel()
	answer := bytes.Repeat([]byte("ignored "), 4<<10) // 32 KiB
	h := HandlerFunc(func(w *ResponseWriter, r *Request) { w.Write(answer) })
	addr := startServer(t, &Server{Handler: h})
	for i := range 3 {
		c, br := dial(t, addr)
		body := bytes.Repeat([]byte{'b'}, 2<<20)
		head := wire("POST /upload HTTP/1.1\nHost: x\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n")
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(body); err != nil {
			t.Fatalf("round %d: sending the body: %v", i, err)
		}
		res, got := readResponse(t, br, "POST")
		if res.StatusCode != 200 || got != string(answer) || !res.Close {
			t.Fatalf("round %d: %d, %d body bytes, close %v; want 200, %d bytes, close", i, res.StatusCode, len(got), res.Close, len(answer))
		}
		expectClosed(t, c, br)
	}
}

// TestLingeringCloseIsBounded: a client that keeps sending after its
// response cannot hold the connection open for long.
func TestLingeringCloseIsBounded(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) { w.Write([]byte("no")) })
	srv := &Server{Handler: h, MaxBodyBytes: 100 << 20}
	srv.init()
	srv.cfg.lingerTime, srv.cfg.lingerWait = 300*time.Millisecond, 200*time.Millisecond
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: 104857600\n\n"))
	if res, _ := readResponse(t, br, "POST"); res.StatusCode != 200 || !res.Close {
		t.Fatalf("%d close %v, want 200 and close", res.StatusCode, res.Close)
	}
	// Trickle: a byte every 50 ms, so that silence never ends the linger.
	start := time.Now()
	for srv.OpenConns() > 0 && time.Since(start) < 5*time.Second {
		c.Write([]byte{'x'})
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(start); srv.OpenConns() > 0 || d > 2*time.Second || d < 200*time.Millisecond {
		t.Fatalf("lingering connection open for %v, want about 300ms", d)
	}
}

// TestNoLingerAfterTimeout: a client cut off for being slow (408) is not
// given the lingering time on top.
func TestNoLingerAfterTimeout(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: 100 * time.Millisecond}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	res, _ := readResponse(t, br, "GET")
	if res.StatusCode != 408 {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
	start := time.Now()
	for srv.OpenConns() > 0 && time.Since(start) < 5*time.Second {
		c.Write([]byte{'x'}) // still trickling
		time.Sleep(20 * time.Millisecond)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("connection open %v after its 408, want it closed at once", d)
	}
}
