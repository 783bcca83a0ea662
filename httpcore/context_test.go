package httpcore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// within returns the next value of ch, failing the test after ten seconds.
// It is a bound on a wait, not a synchronisation: every wait is on a
// channel the other side sends on.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	panic("unreachable")
}

// waitCause is a handler that takes the request's context, says so on
// started, optionally reads the body first (sending it on bodies), waits
// for the context to end and reports its cause.
type waitCause struct {
	readBodyFirst bool
	started       chan struct{}
	bodies        chan string
	causes        chan error
	problems      chan string // white-box: when the watch runs
}

func newWaitCause(readBodyFirst bool) *waitCause {
	return &waitCause{readBodyFirst, make(chan struct{}, 1), make(chan string, 1), make(chan error, 1), make(chan string, 2)}
}

func (h *waitCause) ServeHTTP(w *ResponseWriter, r *Request) {
	if h.readBodyFirst {
		body, _ := r.ReadBody()
		h.bodies <- string(body)
	}
	ctx := r.Context()
	if !h.readBodyFirst && r.ContentLength != 0 {
		if r.c.watch.on {
			h.problems <- "watching before the body was read"
		}
		h.started <- struct{}{}
		body, _ := r.ReadBody()
		h.bodies <- string(body)
	} else {
		h.started <- struct{}{}
	}
	if !r.c.watch.on {
		h.problems <- "not watching once the body was read"
	}
	<-ctx.Done()
	h.causes <- context.Cause(ctx)
}

// check reports what the handler found wrong; call it once causes sent.
func (h *waitCause) check(t *testing.T) {
	t.Helper()
	close(h.problems)
	for p := range h.problems {
		t.Error(p)
	}
}

// TestContextClientGone: the client closes its connection while the
// handler waits on the context; the cause is ErrClientGone. With a body,
// the watch starts only once the body is read, whichever comes first.
func TestContextClientGone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		head      string // sent first
		body      string // sent once the handler has its context
		bodyRead  string // what the handler must read
		bodyFirst bool
	}{
		{"get", "GET / HTTP/1.1\nHost: x\n\n", "", "", false},
		{"post_body_then_context", "POST / HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello", "", "hello", true},
		{"post_context_then_body", "POST / HTTP/1.1\nHost: x\nContent-Length: 5\n\n", "hello", "hello", false},
		{"chunked_context_then_body", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n",
			"3\nhel\n2\nlo\n0\n\n", "hello", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newWaitCause(tt.bodyFirst)
			addr := startServer(t, &Server{Handler: h})
			c, _ := dial(t, addr)
			io.WriteString(c, wire(tt.head))
			if tt.bodyFirst {
				if got := within(t, h.bodies, "the body"); got != tt.bodyRead {
					t.Fatalf("body %q, want %q", got, tt.bodyRead)
				}
			}
			within(t, h.started, "the handler")
			if !tt.bodyFirst && tt.bodyRead != "" {
				io.WriteString(c, wire(tt.body))
				if got := within(t, h.bodies, "the body"); got != tt.bodyRead {
					t.Fatalf("body %q, want %q", got, tt.bodyRead)
				}
			}
			c.Close()
			if err := within(t, h.causes, "the context's end"); !errors.Is(err, ErrClientGone) {
				t.Errorf("cause %v, want ErrClientGone", err)
			}
			h.check(t)
		})
	}
}

// TestContextClientGonePipe: the same over net.Pipe through ServeConn.
func TestContextClientGonePipe(t *testing.T) {
	t.Parallel()
	h := newWaitCause(false)
	srv := &Server{Handler: h}
	client, server := net.Pipe()
	served := make(chan struct{})
	go func() {
		srv.ServeConn(server)
		close(served)
	}()
	t.Cleanup(func() { client.Close(); srv.Close() })
	client.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(client, wire("GET / HTTP/1.1\nHost: x\n\n")); err != nil {
		t.Fatal(err)
	}
	within(t, h.started, "the handler")
	client.Close()
	if err := within(t, h.causes, "the context's end"); !errors.Is(err, ErrClientGone) {
		t.Errorf("cause %v, want ErrClientGone", err)
	}
	h.check(t)
	within(t, served, "ServeConn to return")
}

// TestContextServerClose: Server.Close cancels a request in flight with
// ErrServerClosed, whether or not the client is being watched (a body
// left unread keeps the watch off).
func TestContextServerClose(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, req string }{
		{"watched", "GET / HTTP/1.1\nHost: x\n\n"},
		{"body_unread", "POST / HTTP/1.1\nHost: x\nContent-Length: 10\n\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			started, causes := make(chan struct{}, 1), make(chan error, 1)
			srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				ctx := r.Context()
				started <- struct{}{}
				<-ctx.Done()
				causes <- context.Cause(ctx)
			})}
			addr := startServer(t, srv)
			c, _ := dial(t, addr)
			io.WriteString(c, wire(tt.req))
			within(t, started, "the handler")
			srv.Close()
			if err := within(t, causes, "the context's end"); !errors.Is(err, ErrServerClosed) {
				t.Fatalf("cause %v, want ErrServerClosed", err)
			}
		})
	}
}

// TestContextEndsWithServeHTTP: once ServeHTTP has returned, a context the
// handler kept is cancelled with context.Canceled, before the response
// reaches the client; and the connection serves its next request.
func TestContextEndsWithServeHTTP(t *testing.T) {
	t.Parallel()
	ctxs := make(chan context.Context, 2)
	addr := startServer(t, &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		ctx := r.Context()
		if ctx.Err() != nil || ctx != r.Context() {
			w.WriteHeader(500)
		}
		ctxs <- ctx
	})})
	c, br := dial(t, addr)
	for i := range 2 {
		io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
		if res, _ := readResponse(t, br, "GET"); res.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, res.StatusCode)
		}
		ctx := within(t, ctxs, "the context")
		if ctx.Err() != context.Canceled || context.Cause(ctx) != context.Canceled {
			t.Fatalf("request %d: after ServeHTTP, Err %v, Cause %v", i, ctx.Err(), context.Cause(ctx))
		}
	}
}

// TestContextPipelined: a request pipelined while the first handler waits
// on its context makes the watch read its first byte; that byte goes back
// in front of the rest, and both responses come out byte for byte. With
// timeouts off, the deadline that stopped the watch must be lifted too.
func TestContextPipelined(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		timeout time.Duration // every timeout of the server
	}{
		{"default_timeouts", 0},
		{"no_timeouts", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.timeout
			testContextPipelined(t, &Server{ReadHeaderTimeout: d, BodyReadTimeout: d, IdleTimeout: d, WriteTimeout: d})
		})
	}
}

func testContextPipelined(t *testing.T, srv *Server) {
	clock := time.Date(2009, 11, 10, 23, 0, 0, 0, time.UTC)
	started, release, problems := make(chan struct{}, 1), make(chan struct{}), make(chan string, 4)
	srv.Clock = func() time.Time { return clock }
	srv.Handler = HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/wait" {
			ctx := r.Context()
			if !r.c.watch.on {
				problems <- "the watch did not start"
			}
			started <- struct{}{}
			select {
			case <-ctx.Done():
				problems <- fmt.Sprintf("context ended: %v", context.Cause(ctx))
			case <-release:
			}
			r.c.watch.wg.Wait() // it has read: the test sent the next request before release
			if r.c.watch.n != 1 {
				problems <- fmt.Sprintf("the watch read %d bytes (%v), want 1", r.c.watch.n, r.c.watch.err)
			}
		}
		fmt.Fprintf(w, "%s %s %s", r.Method, r.Path, r.Header.Get("X-Seq"))
	})
	addr := startServer(t, srv)
	c, _ := dial(t, addr)
	io.WriteString(c, wire("GET /wait HTTP/1.1\nHost: x\nX-Seq: 1\n\n"))
	within(t, started, "the first handler")
	io.WriteString(c, wire("POST /next HTTP/1.1\nHost: x\nX-Seq: 2\nContent-Length: 0\n\n"))
	close(release)
	want := wire("HTTP/1.1 200 OK\nDate: Tue, 10 Nov 2009 23:00:00 GMT\nContent-Length: 11\n\nGET /wait 1" +
		"HTTP/1.1 200 OK\nDate: Tue, 10 Nov 2009 23:00:00 GMT\nContent-Length: 12\n\nPOST /next 2")
	got := make([]byte, len(want))
	if n, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read %q: %v", got[:n], err)
	}
	if string(got) != want {
		t.Fatalf("responses\n%q\nwant\n%q", got, want)
	}
	close(problems)
	for p := range problems {
		t.Error(p)
	}
}

// TestContextPipelinedBuffered: requests that arrive together are answered
// in order, whether or not the handler takes a context; while the next
// request is already buffered the client is known alive and not watched.
// (net.Pipe: one Write of all requests is one Read for the server.)
func TestContextPipelinedBuffered(t *testing.T) {
	t.Parallel()
	const n = 6
	problems := make(chan string, n)
	srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		body, _ := r.ReadBody()
		if r.Query != nil {
			r.Context()
			last := string(r.Path) == fmt.Sprintf("/%d", n-1)
			if r.c.watch.on != last {
				problems <- fmt.Sprintf("%s: watching %v", r.Path, r.c.watch.on)
			}
		}
		fmt.Fprintf(w, "%s%s", r.Path, body)
	})}
	client, server := net.Pipe()
	served := make(chan struct{})
	go func() {
		srv.ServeConn(server)
		close(served)
	}()
	t.Cleanup(func() { client.Close(); srv.Close() })
	client.SetDeadline(time.Now().Add(10 * time.Second))
	var reqs strings.Builder
	for i := range n {
		q := []string{"", "?ctx"}[i%2]
		fmt.Fprintf(&reqs, "POST /%d%s HTTP/1.1\nHost: x\nContent-Length: 2\n\nb%d", i, q, i)
	}
	if _, err := io.WriteString(client, wire(reqs.String())); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(client)
	for i := range n {
		if _, body := readResponse(t, br, "POST"); body != fmt.Sprintf("/%db%d", i, i) {
			t.Fatalf("response %d: %q", i, body)
		}
	}
	client.Close()
	within(t, served, "ServeConn to return")
	close(problems)
	for p := range problems {
		t.Error(p)
	}
}

// TestContextZeroRequest: a Request of no connection has a context that
// never ends.
func TestContextZeroRequest(t *testing.T) {
	var r Request
	if ctx := r.Context(); ctx != context.Background() || ctx.Done() != nil {
		t.Fatalf("context %v", ctx)
	}
}

// noDeadlineConn is a connection whose deadlines do not work.
type noDeadlineConn struct{ net.Conn }

func (noDeadlineConn) SetReadDeadline(time.Time) error { return errors.New("no deadlines") }

// TestContextNoDeadlines: a connection that cannot stop a read is not
// watched (stopping the watch would hang), and is served as usual.
func TestContextNoDeadlines(t *testing.T) {
	t.Parallel()
	watching := make(chan bool, 1)
	srv := &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		r.Context()
		watching <- r.c.watch.on
		w.WriteString("ok")
	})}
	client, server := net.Pipe()
	go srv.ServeConn(noDeadlineConn{server})
	t.Cleanup(func() { client.Close(); srv.Close() })
	client.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(client, wire("GET / HTTP/1.1\nHost: x\nConnection: close\n\n"))
	if _, body := readResponse(t, bufio.NewReader(client), "GET"); body != "ok" {
		t.Fatalf("body %q", body)
	}
	if within(t, watching, "the handler") {
		t.Fatal("watching a connection without deadlines")
	}
}
