package httpcore

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// waitIdle polls until n of srv's connections wait for a request: a
// response reaches the client before its connection is back to waiting.
func waitIdle(t testing.TB, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for idleConns(srv) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections waiting for a request, want %d", idleConns(srv), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func idleConns(srv *Server) int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	n := 0
	for c := range srv.conns {
		if c.state.Load() == stateIdle {
			n++
		}
	}
	return n
}

// closedWithin reports how long the server took to close c without a
// byte, failing past limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	var b [1]byte
	n, err := c.Read(b[:])
	d := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("still open after %v", d)
	}
	if n > 0 {
		t.Fatalf("read %q: the server said something", b[:n])
	}
	return d
}

// TestSilentConnectionGetsHeaderTimeout: a new connection that never sends
// a byte is closed after ReadHeaderTimeout, not IdleTimeout, and quietly.
func TestSilentConnectionGetsHeaderTimeout(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: time.Minute}
	addr := startServer(t, srv)
	c, _ := dial(t, addr)
	if d := closedWithin(t, c, 5*time.Second); d < 150*time.Millisecond {
		t.Fatalf("closed after %v, before the header timeout", d)
	}
}

// TestFirstHeadDueFromAccept: on a new connection the first byte does not
// restart the header timeout; the head is due ReadHeaderTimeout after the
// accept.
func TestFirstHeadDueFromAccept(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: 400 * time.Millisecond}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	start := time.Now()
	time.AfterFunc(300*time.Millisecond, func() { io.WriteString(c, "G") })
	res, _ := readResponse(t, br, "GET")
	if d := time.Since(start); res.StatusCode != 408 || d > 650*time.Millisecond {
		t.Fatalf("status %d after %v, want 408 about 400ms after the accept (700ms if the byte restarted it)", res.StatusCode, d)
	}
}

// TestKeptAliveGetsIdleTimeout: once a request is served, the connection
// waits IdleTimeout for the next one, not the shorter header timeout.
func TestKeptAliveGetsIdleTimeout(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: 100 * time.Millisecond, IdleTimeout: 600 * time.Millisecond}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	readResponse(t, br, "GET")
	if d := closedWithin(t, c, 5*time.Second); d < 450*time.Millisecond {
		t.Fatalf("kept-alive connection closed after %v, want the idle timeout (600ms)", d)
	}
}

// TestMaxConnsEvictsSilent: at MaxConns, silent new connections make room
// for a new one, the oldest first, instead of it being refused.
func TestMaxConnsEvictsSilent(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, MaxConns: 4, ReadHeaderTimeout: 10 * time.Second}
	addr := startServer(t, srv)
	var silent []net.Conn
	for range 4 {
		c, _ := dial(t, addr)
		silent = append(silent, c)
		waitIdle(t, srv, len(silent)) // accepted in this order
	}
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /new HTTP/1.1\nHost: x\n\n"))
	if res, body := readResponse(t, br, "GET"); res.StatusCode != 200 || body != "GET /new  " {
		t.Fatalf("new connection at the limit: %d %q, want 200", res.StatusCode, body)
	}
	closedWithin(t, silent[0], 5*time.Second)
	for i, s := range silent[1:] {
		io.WriteString(s, wire("GET /still HTTP/1.1\nHost: x\n\n"))
		if res, _ := readResponse(t, newReader(s), "GET"); res.StatusCode != 200 {
			t.Fatalf("silent connection %d: %d, want it still served", i+1, res.StatusCode)
		}
	}
	if n := srv.OpenConns(); n != 4 {
		t.Fatalf("%d connections counted, want 4", n)
	}
}

// TestMaxConnsEvictsLongestIdle: kept-alive connections make room too, the
// one idle longest first; busy ones are never closed for it.
func TestMaxConnsEvictsLongestIdle(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/block" {
			entered <- struct{}{}
			<-release
		}
		echo(w, r)
	})
	srv := &Server{Handler: h, MaxConns: 4}
	addr := startServer(t, srv)
	busy, _ := dial(t, addr)
	io.WriteString(busy, wire("GET /block HTTP/1.1\nHost: x\n\n"))
	<-entered
	var idle []net.Conn
	var idleBr []*bufio.Reader
	for i := range 3 {
		c, br := dial(t, addr)
		io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
		readResponse(t, br, "GET")
		waitIdle(t, srv, i+1) // idle in this order
		idle, idleBr = append(idle, c), append(idleBr, br)
	}
	// Use the first again: now the second has been idle longest.
	io.WriteString(idle[0], wire("GET / HTTP/1.1\nHost: x\n\n"))
	readResponse(t, idleBr[0], "GET")
	waitIdle(t, srv, 3)

	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /new HTTP/1.1\nHost: x\n\n"))
	if res, _ := readResponse(t, br, "GET"); res.StatusCode != 200 {
		t.Fatalf("new connection at the limit: %d, want 200", res.StatusCode)
	}
	closedWithin(t, idle[1], 5*time.Second)
	for _, i := range []int{0, 2} {
		io.WriteString(idle[i], wire("GET / HTTP/1.1\nHost: x\n\n"))
		if res, _ := readResponse(t, idleBr[i], "GET"); res.StatusCode != 200 {
			t.Fatalf("idle connection %d: %d, want it still served", i, res.StatusCode)
		}
	}
}

// TestSilentConnectionWithoutHeaderTimeout: with ReadHeaderTimeout off, a
// silent new connection still goes after IdleTimeout.
func TestSilentConnectionWithoutHeaderTimeout(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: -1, IdleTimeout: 200 * time.Millisecond}
	addr := startServer(t, srv)
	c, _ := dial(t, addr)
	closedWithin(t, c, 5*time.Second)
}
