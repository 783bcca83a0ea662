package httpcore

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// echoUpgrade takes the connection over, answers 101 itself and echoes one
// line: what the client sent with the request (already buffered) must come
// back too.
func echoUpgrade(conns chan<- net.Conn) HandlerFunc {
	return func(w *ResponseWriter, r *Request) {
		c, rest, err := w.Hijack()
		if err != nil {
			w.WriteHeader(500)
			return
		}
		if _, _, err := w.Hijack(); err != ErrHijacked {
			panic("a second Hijack succeeded")
		}
		go func() {
			defer c.Close()
			c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"))
			br := bufio.NewReader(io.MultiReader(strings.NewReader(string(rest)), c))
			line, _ := br.ReadString('\n')
			c.Write([]byte("echo " + line))
			if conns != nil {
				conns <- c
				io.Copy(io.Discard, c) // hold it open until the test or server closes it
			}
		}()
	}
}

// readHead reads a response's status line and header section.
func readHead(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	head := ""
	for !strings.HasSuffix(head, "\r\n\r\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("head %q: %v", head, err)
		}
		head += line
	}
	return head
}

func TestHijackKeepsBufferedInput(t *testing.T) {
	srv := &Server{Handler: echoUpgrade(nil)}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	// The line after the head arrives in the same packet as the request.
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello\n"))
	if resp := readHead(t, br); !strings.HasPrefix(resp, "HTTP/1.1 101 ") {
		t.Fatalf("response %q", resp)
	}
	line, err := br.ReadString('\n')
	if err != nil || line != "echo hello\n" {
		t.Fatalf("got %q, %v", line, err)
	}
}

// TestHijackAccounting: a hijacked connection keeps its MaxConns slot until
// closed; Shutdown runs its hooks and waits for it; the slot comes back.
func TestHijackAccounting(t *testing.T) {
	conns := make(chan net.Conn, 1)
	srv := &Server{Handler: echoUpgrade(conns), MaxConns: 1, ErrorLog: discardLogger()}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nhi\n"))
	readHead(t, br)
	hc := within(t, conns, "the hijacked connection")
	if n := srv.OpenConns(); n != 1 {
		t.Fatalf("%d open connections, want the hijacked one", n)
	}
	// Over the limit, and the hijacked one is not idle: refused.
	c2, br2 := dial(t, addr)
	c2.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if resp, _ := readResponseNoFail(br2); !strings.HasPrefix(resp, "HTTP/1.1 503") {
		t.Fatalf("second connection got %q, want 503", resp)
	}
	hooked := make(chan bool, 1)
	srv.RegisterOnShutdown(func() { hooked <- true; hc.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	within(t, hooked, "the shutdown hook")
	if n := srv.OpenConns(); n != 0 {
		t.Fatalf("%d open connections after the hijacked one closed", n)
	}
	if hc.Close() != net.ErrClosed {
		t.Fatal("a second Close did not report the connection closed")
	}
}

func TestHijackClosedByClose(t *testing.T) {
	conns := make(chan net.Conn, 1)
	srv := &Server{Handler: echoUpgrade(conns)}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nhi\n"))
	readHead(t, br)
	br.ReadString('\n')
	within(t, conns, "the hijacked connection")
	srv.Close()
	if _, err := br.ReadString('\n'); err == nil {
		t.Fatal("the client read after Close")
	}
}

func TestHijackRefusedAfterCommit(t *testing.T) {
	got := make(chan error, 1)
	srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.Write([]byte("x"))
		w.Flush()
		_, _, err := w.Hijack()
		got <- err
	})}
	addr := startServer(t, srv)
	c, _ := dial(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if err := within(t, got, "Hijack"); err != ErrHijacked {
		t.Fatalf("Hijack after commit: %v", err)
	}
}

// TestStreamedFlush: each Flush sends a chunk at once, while the handler
// still runs; the end of the handler sends the last chunk.
func TestStreamedFlush(t *testing.T) {
	next := make(chan bool)
	srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		for _, part := range []string{"one\n", "two\n"} {
			w.WriteString(part)
			w.Flush()
			<-next
		}
	})}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	head := readHead(t, br)
	if !strings.Contains(head, "Transfer-Encoding: chunked") {
		t.Fatalf("head %q is not chunked", head)
	}
	for _, want := range []string{"4\r\n", "one\n", "\r\n"} {
		if line, _ := br.ReadString('\n'); line != want {
			t.Fatalf("got %q, want %q (before the handler returned)", line, want)
		}
	}
	next <- true
	next <- true
	var all strings.Builder
	for !strings.HasSuffix(all.String(), "0\r\n\r\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", all.String(), err)
		}
		all.WriteString(line)
	}
	if all.String() != "4\r\ntwo\n\r\n0\r\n\r\n" {
		t.Fatalf("rest %q", all.String())
	}
}
