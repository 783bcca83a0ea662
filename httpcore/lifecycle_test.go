package httpcore

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestHeaderReadTimeout: a client that trickles its head is cut off, while
// a normal client on another connection is served meanwhile.
func TestHeaderReadTimeout(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, ReadHeaderTimeout: 300 * time.Millisecond}
	addr := startServer(t, srv)
	slow, slowBr := dial(t, addr)
	cut := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		// One byte every 50 ms: each byte is "progress", yet the head
		// never completes within the timeout.
		for _, b := range []byte(wire("GET / HTTP/1.1\nHost: x\nX-Slow: " + strings.Repeat("s", 100))) {
			if _, err := slow.Write([]byte{b}); err != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	go func() {
		res, _ := readResponseNoFail(slowBr)
		_ = res
		cut <- time.Since(start)
	}()
	c, br := dial(t, addr)
	for range 3 {
		io.WriteString(c, wire("GET /fast HTTP/1.1\nHost: x\n\n"))
		if _, body := readResponse(t, br, "GET"); body != "GET /fast  " {
			t.Fatalf("fast client got %q", body)
		}
	}
	select {
	case d := <-cut:
		if d < 250*time.Millisecond || d > 3*time.Second {
			t.Fatalf("slow client cut after %v, want about 300ms", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("slow client never cut off")
	}
}

// readResponseNoFail reads whatever the server sends until it closes.
func readResponseNoFail(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}

func TestHeaderTimeoutAnswers408(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo, ReadHeaderTimeout: 100 * time.Millisecond})
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	res, _ := readResponse(t, br, "GET")
	if res.StatusCode != 408 {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
	expectClosed(t, c, br)
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo, IdleTimeout: 200 * time.Millisecond})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	readResponse(t, br, "GET")
	start := time.Now()
	expectClosed(t, c, br) // no 408: closing an idle connection says nothing
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %v, before the idle timeout", d)
	}
}

func TestBodyReadTimeout(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo, BodyReadTimeout: 200 * time.Millisecond})
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: 100\n\nonly a part"))
	res, _ := readResponse(t, br, "POST")
	if res.StatusCode != 408 {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
	expectClosed(t, c, br)
}

// TestWriteTimeout: a client that never reads cannot hold a handler forever.
func TestWriteTimeout(t *testing.T) {
	t.Parallel()
	werr := make(chan error, 1)
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		chunk := make([]byte, 64<<10)
		for range 2000 { // 128 MB: far more than socket buffers hold
			if _, err := w.Write(chunk); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	})
	addr := startServer(t, &Server{Handler: h, WriteTimeout: 200 * time.Millisecond})
	c, _ := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	select {
	case err := <-werr:
		if err == nil {
			t.Fatal("handler wrote 128 MB to a client that reads nothing")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler still blocked in Write")
	}
}

func TestShutdownGraceful(t *testing.T) {
	t.Parallel()
	inFlight := make(chan struct{})
	release := make(chan struct{})
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/slow" {
			close(inFlight)
			<-release
		}
		w.Write([]byte("done " + string(r.Path)))
	})
	srv := &Server{Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	idle, idleBr := dial(t, addr) // served once, then idle
	io.WriteString(idle, wire("GET /idle HTTP/1.1\nHost: x\n\n"))
	readResponse(t, idleBr, "GET")

	busy, busyBr := dial(t, addr)
	io.WriteString(busy, wire("GET /slow HTTP/1.1\nHost: x\n\n"))
	<-inFlight

	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- srv.Shutdown(context.Background()) }()

	expectClosed(t, idle, idleBr) // idle connections close at once
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("new connection accepted during shutdown")
	}
	select {
	case err := <-shutdownErr:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	res, body := readResponse(t, busyBr, "GET")
	if body != "done /slow" || !res.Close {
		t.Fatalf("in-flight request: %q close %v", body, res.Close)
	}
	expectClosed(t, busy, busyBr)
	if err := <-shutdownErr; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-serveErr; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	h := HandlerFunc(func(w *ResponseWriter, r *Request) { close(started); <-block })
	srv := &Server{Handler: h}
	addr := startServer(t, srv)
	c, _ := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a stuck handler: %v", err)
	}
}

// TestMaxConns: at the limit with no connection waiting for a request, a
// new connection is answered 503; once one waits, a new one is served.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/block" {
			entered <- struct{}{}
			<-release
		}
		echo(w, r)
	})
	srv := &Server{Handler: h, MaxConns: 2}
	addr := startServer(t, srv)
	a, abr := dial(t, addr)
	b, bbr := dial(t, addr)
	io.WriteString(a, wire("GET /block HTTP/1.1\nHost: x\n\n"))
	io.WriteString(b, wire("GET /block HTTP/1.1\nHost: x\n\n"))
	<-entered
	<-entered
	c, cbr := dial(t, addr)
	res, _ := readResponse(t, cbr, "GET")
	if res.StatusCode != 503 || !res.Close {
		t.Fatalf("third connection: %d close %v, want 503", res.StatusCode, res.Close)
	}
	expectClosed(t, c, cbr)
	close(release)
	readResponse(t, abr, "GET")
	readResponse(t, bbr, "GET")
	// a and b now wait for a request: a new connection takes a place.
	waitIdle(t, srv, 2)
	d, dbr := dial(t, addr)
	io.WriteString(d, wire("GET /again HTTP/1.1\nHost: x\n\n"))
	if res, body := readResponse(t, dbr, "GET"); res.StatusCode != 200 || body != "GET /again  " {
		t.Fatalf("after the handlers returned: %d %q", res.StatusCode, body)
	}
}

// TestManyConnections serves many concurrent clients; run with -race.
func TestManyConnections(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		served.Add(1)
		body, _ := r.ReadBody()
		w.Write(body)
	})
	addr := startServer(t, &Server{Handler: h})
	errc := make(chan error, 50)
	for i := range 50 {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			br := newReader(c)
			for j := range 20 {
				msg := strings.Repeat(string(rune('a'+i%26)), j+1)
				io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: ")+itoa(len(msg))+"\r\n\r\n"+msg)
				_, body, err := readResponseErr(br, "POST")
				if err != nil || body != msg {
					errc <- errors.New("bad echo: " + body)
					return
				}
			}
			errc <- nil
		}()
	}
	for range 50 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if served.Load() != 1000 {
		t.Fatalf("served %d requests, want 1000", served.Load())
	}
}

func TestServeConnOverPipe(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo}
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(server); close(done) }()
	br := newReader(client)
	for i := range 3 {
		io.WriteString(client, wire("POST /pipe HTTP/1.1\nHost: x\nContent-Length: 1\n\n")+itoa(i))
		if _, body := readResponse(t, br, "POST"); body != "POST /pipe  "+itoa(i) {
			t.Fatalf("got %q", body)
		}
	}
	client.Close()
	<-done
	if srv.OpenConns() != 0 {
		t.Fatalf("%d connections still counted", srv.OpenConns())
	}
}
