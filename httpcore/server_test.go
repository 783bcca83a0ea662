package httpcore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer serves srv on a loopback port until the test ends.
func startServer(t testing.TB, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// echo answers with the method, path, query and body it received.
var echo = HandlerFunc(func(w *ResponseWriter, r *Request) {
	body, err := r.ReadBody()
	if err != nil {
		return // the core answers a body error itself
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s %s %s", r.Method, r.Path, r.Query, body)
})

func dial(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// crlf turns a fixture written with \n into wire format.
func wire(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func readResponse(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading response body: %v", err)
	}
	res.Body.Close()
	return res, string(body)
}

// expectClosed asserts the server closes the connection (EOF or reset).
func expectClosed(t testing.TB, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := br.ReadByte()
	if err == nil {
		t.Fatalf("connection still open: read %q", b)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("connection not closed within 5s")
	}
}

func TestKeepAliveReuse(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	c, br := dial(t, addr)
	for i := range 5 {
		fmt.Fprintf(c, wire("GET /n/%d?q=%d HTTP/1.1\nHost: x\n\n"), i, i)
		res, body := readResponse(t, br, "GET")
		if res.StatusCode != 200 || body != fmt.Sprintf("GET /n/%d q=%d ", i, i) {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
		if res.Close {
			t.Fatalf("request %d: server asked to close", i)
		}
	}
}

func TestNetHTTPClientReusesConnection(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo}
	addr := startServer(t, srv)
	var conns sync.Map
	tr := &http.Transport{DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, n, a)
		if err == nil {
			conns.Store(c.LocalAddr().String(), true)
		}
		return c, err
	}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for i := range 10 {
		res, err := client.Post("http://"+addr+"/p", "text/plain", strings.NewReader("hi"+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "POST /p  hi"+strconv.Itoa(i) {
			t.Fatalf("got %q", b)
		}
	}
	n := 0
	conns.Range(func(_, _ any) bool { n++; return true })
	if n != 1 {
		t.Fatalf("client used %d connections, want 1", n)
	}
}

func TestPipelining(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{}
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		mu.Lock()
		calls[string(r.Path)]++
		mu.Unlock()
		body, _ := r.ReadBody()
		w.Write([]byte(string(r.Path) + ":" + string(body)))
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	var all strings.Builder
	for i := range 20 {
		if i%3 == 0 {
			fmt.Fprintf(&all, "POST /r%d HTTP/1.1\nHost: x\nContent-Length: 2\n\nb%d", i, i%10)
		} else {
			fmt.Fprintf(&all, "GET /r%d HTTP/1.1\nHost: x\n\n", i)
		}
	}
	raw := strings.ReplaceAll(all.String(), "\n", "\r\n")
	if _, err := c.Write([]byte(raw)); err != nil { // one write: many requests per packet
		t.Fatal(err)
	}
	for i := range 20 {
		res, body := readResponse(t, br, "GET")
		want := fmt.Sprintf("/r%d:", i)
		if i%3 == 0 {
			want += fmt.Sprintf("b%d", i%10)
		}
		if res.StatusCode != 200 || body != want {
			t.Fatalf("response %d: %d %q, want %q", i, res.StatusCode, body, want)
		}
	}
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if b, err := br.ReadByte(); err == nil {
		t.Fatalf("extra bytes after the last response: %q", b)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range 20 {
		if n := calls[fmt.Sprintf("/r%d", i)]; n != 1 {
			t.Fatalf("/r%d handled %d times", i, n)
		}
	}
}

func TestConnectionOptions(t *testing.T) {
	t.Parallel()
	closer := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/bye" {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte("ok"))
	})
	addr := startServer(t, &Server{Handler: closer})
	cases := []struct {
		name      string
		req       string
		wantClose bool
		wantHdr   string // Connection header in the response
	}{
		{"http11_default_keepalive", "GET / HTTP/1.1\nHost: x\n\n", false, ""},
		{"http11_client_close", "GET / HTTP/1.1\nHost: x\nConnection: close\n\n", true, "close"},
		{"http11_close_in_list", "GET / HTTP/1.1\nHost: x\nConnection: foo, Close\n\n", true, "close"},
		{"http10_default_close", "GET / HTTP/1.0\n\n", true, "close"},
		{"http10_keepalive", "GET / HTTP/1.0\nConnection: keep-alive\n\n", false, "keep-alive"},
		{"handler_close", "GET /bye HTTP/1.1\nHost: x\n\n", true, "close"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, br := dial(t, addr)
			io.WriteString(c, wire(tc.req))
			res, body := readResponse(t, br, "GET")
			// net/http's reader turns "Connection: close" into res.Close.
			if body != "ok" || res.Close != tc.wantClose || (!tc.wantClose && res.Header.Get("Connection") != tc.wantHdr) {
				t.Fatalf("body %q, close %v, Connection %q; want ok, %v, %q", body, res.Close, res.Header.Get("Connection"), tc.wantClose, tc.wantHdr)
			}
			if tc.wantClose {
				expectClosed(t, c, br)
				return
			}
			io.WriteString(c, wire(tc.req)) // still usable
			if _, body := readResponse(t, br, "GET"); body != "ok" {
				t.Fatalf("second response %q", body)
			}
		})
	}
}

func TestChunkedUpload(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST /up HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5;ext=1\nhello\n"))
	time.Sleep(20 * time.Millisecond) // the body arrives in pieces
	io.WriteString(c, wire("1\n \n6\nworld!\n0\nTrailer-A: 1\n\n"))
	res, body := readResponse(t, br, "POST")
	if res.StatusCode != 200 || body != "POST /up  hello world!" {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	// The connection carries the next request.
	io.WriteString(c, wire("GET /next HTTP/1.1\nHost: x\n\n"))
	if _, body := readResponse(t, br, "GET"); body != "GET /next  " {
		t.Fatalf("next: %q", body)
	}
}

func TestNetHTTPClientChunkedUpload(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	pr, pw := io.Pipe()
	go func() {
		for i := range 100 {
			fmt.Fprintf(pw, "line %d\n", i)
		}
		pw.Close()
	}()
	res, err := http.Post("http://"+addr+"/up", "text/plain", pr) // unknown length: chunked
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var want strings.Builder
	want.WriteString("POST /up  ")
	for i := range 100 {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if string(b) != want.String() {
		t.Fatalf("got %d bytes, want %d", len(b), want.Len())
	}
}

func TestExpectContinue(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	c, br := dial(t, addr)
	io.WriteString(c, wire("PUT /e HTTP/1.1\nHost: x\nContent-Length: 4\nExpect: 100-continue\n\n"))
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q, %v", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("after 100: %q", blank)
	}
	io.WriteString(c, "data")
	res, body := readResponse(t, br, "PUT")
	if res.StatusCode != 200 || body != "PUT /e  data" {
		t.Fatalf("%d %q", res.StatusCode, body)
	}

	// A handler that does not want the body: no 100, and the connection
	// closes rather than wait for a body the client holds back.
	addr2 := startServer(t, &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.WriteHeader(403)
	})})
	c2, br2 := dial(t, addr2)
	io.WriteString(c2, wire("PUT /e HTTP/1.1\nHost: x\nContent-Length: 4\nExpect: 100-continue\n\n"))
	res, _ = readResponse(t, br2, "PUT")
	if res.StatusCode != 403 || !res.Close {
		t.Fatalf("status %d close %v, want 403 and close", res.StatusCode, res.Close)
	}

	// Other expectations: 417.
	c3, br3 := dial(t, addr)
	io.WriteString(c3, wire("PUT /e HTTP/1.1\nHost: x\nContent-Length: 4\nExpect: 200-ok\n\n"))
	if res, _ := readResponse(t, br3, "PUT"); res.StatusCode != 417 {
		t.Fatalf("status %d, want 417", res.StatusCode)
	}
	expectClosed(t, c3, br3)
}

func TestNetHTTPClientExpectContinue(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	tr := &http.Transport{ExpectContinueTimeout: 5 * time.Second}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("POST", "http://"+addr+"/c", strings.NewReader("payload"))
	req.Header.Set("Expect", "100-continue")
	start := time.Now()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "POST /c  payload" {
		t.Fatalf("got %q", b)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("client waited %v: no 100 Continue was sent", d)
	}
}

func TestHead(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Route", "page")
		w.Write(bytes.Repeat([]byte("x"), 1000))
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\nHEAD / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\nHost: x\n\n"))
	get, gbody := readResponse(t, br, "GET")
	head, hbody := readResponse(t, br, "HEAD")
	if len(gbody) != 1000 || hbody != "" {
		t.Fatalf("GET body %d bytes, HEAD body %q", len(gbody), hbody)
	}
	for _, k := range []string{"Content-Type", "X-Route", "Content-Length"} {
		if get.Header.Get(k) != head.Header.Get(k) || head.Header.Get(k) == "" {
			t.Fatalf("%s: GET %q HEAD %q", k, get.Header.Get(k), head.Header.Get(k))
		}
	}
	// The third response parses cleanly: HEAD sent no stray body bytes.
	if _, body := readResponse(t, br, "GET"); len(body) != 1000 {
		t.Fatalf("response after HEAD: %d bytes", len(body))
	}
}

func TestNoBodyStatuses(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		code, _ := strconv.Atoi(string(r.Path[1:]))
		w.WriteHeader(code)
		w.Write([]byte("must not be sent"))
	})
	addr := startServer(t, &Server{Handler: h})
	for _, code := range []int{204, 304} {
		c, br := dial(t, addr)
		fmt.Fprintf(c, wire("GET /%d HTTP/1.1\nHost: x\n\nGET /200 HTTP/1.1\nHost: x\n\n"), code)
		res, body := readResponse(t, br, "GET")
		if res.StatusCode != code || body != "" {
			t.Fatalf("%d: got %d %q", code, res.StatusCode, body)
		}
		if code == 204 && res.Header.Get("Content-Length") != "" {
			t.Fatalf("204 with Content-Length %q", res.Header.Get("Content-Length"))
		}
		if _, body := readResponse(t, br, "GET"); body != "must not be sent" {
			t.Fatalf("after %d: %q", code, body)
		}
	}
}

func TestStreamingResponse(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		for i := range 3 {
			fmt.Fprintf(w, "part %d\n", i)
			w.Flush()
		}
		w.Write(bytes.Repeat([]byte("y"), 200<<10)) // past the buffer
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\nGET / HTTP/1.0\n\n"))
	res, body := readResponse(t, br, "GET")
	if len(res.TransferEncoding) != 1 || res.TransferEncoding[0] != "chunked" {
		t.Fatalf("HTTP/1.1 stream: Transfer-Encoding %v", res.TransferEncoding)
	}
	want := "part 0\npart 1\npart 2\n" + strings.Repeat("y", 200<<10)
	if body != want {
		t.Fatalf("HTTP/1.1 stream: %d bytes, want %d", len(body), len(want))
	}
	// HTTP/1.0 has no chunked coding: the body ends with the connection.
	res, body = readResponse(t, br, "GET")
	if len(res.TransferEncoding) != 0 || body != want || !res.Close {
		t.Fatalf("HTTP/1.0 stream: TE %v, %d bytes, close %v", res.TransferEncoding, len(body), res.Close)
	}
}

func TestLargeBodyWithDeclaredLength(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789"), 100<<10) // 1 MB
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.SetContentLength(int64(len(big)))
		w.Write(big)
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\nHost: x\n\n"))
	for range 2 {
		res, body := readResponse(t, br, "GET")
		if res.ContentLength != int64(len(big)) || len(res.TransferEncoding) != 0 || body != string(big) {
			t.Fatalf("CL %d TE %v len %d", res.ContentLength, res.TransferEncoding, len(body))
		}
	}
}

// TestErrorsCloseConnection: every refused request gets its status, then
// the connection closes.
func TestErrorsCloseConnection(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo, MaxRequestLineBytes: 100, MaxHeaderBytes: 400,
		MaxHeaderFields: 5, MaxBodyBytes: 10}
	addr := startServer(t, srv)
	cases := []struct {
		name string
		req  string
		want int
	}{
		{"malformed", "GET / HTTP/1.1 extra\nHost: x\n\n", 400},
		{"uri_too_long", "GET /" + strings.Repeat("a", 200) + " HTTP/1.1\nHost: x\n\n", 414},
		{"header_too_large", "GET / HTTP/1.1\nHost: x\nX: " + strings.Repeat("a", 500) + "\n\n", 431},
		{"too_many_fields", "GET / HTTP/1.1\nHost: x\nA: 1\nB: 1\nC: 1\nD: 1\nE: 1\n\n", 431},
		{"body_too_large", "POST / HTTP/1.1\nHost: x\nContent-Length: 11\n\n", 413},
		{"version", "GET / HTTP/2.0\nHost: x\n\n", 505},
		{"no_host", "GET / HTTP/1.1\n\n", 400},
		{"smuggle_te_and_cl", "POST / HTTP/1.1\nHost: x\nContent-Length: 3\nTransfer-Encoding: chunked\n\n0\n\n", 400},
		{"unknown_coding", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked\n\n", 501},
		{"bad_chunk", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\nzz\n", 400},
		{"chunked_too_large", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n8\n12345678\n8\n12345678\n0\n\n", 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, br := dial(t, addr)
			io.WriteString(c, wire(tc.req))
			res, _ := readResponse(t, br, "GET")
			if res.StatusCode != tc.want || !res.Close {
				t.Fatalf("status %d close %v, want %d and close", res.StatusCode, res.Close, tc.want)
			}
			expectClosed(t, c, br)
		})
	}
}

// TestBodyTooLargeAnsweredEarly: the 413 comes without the server reading
// the announced body, while the client is still (not) sending it.
func TestBodyTooLargeAnsweredEarly(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo, MaxBodyBytes: 1 << 20})
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: 1073741824\n\n"))
	io.WriteString(c, strings.Repeat("z", 1000)) // the first bytes of 1 GiB
	res, _ := readResponse(t, br, "POST")
	if res.StatusCode != 413 {
		t.Fatalf("status %d, want 413", res.StatusCode)
	}
}

func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/panic" {
			w.Write([]byte("partial"))
			panic("route exploded")
		}
		w.Write([]byte("fine"))
	})
	srv := &Server{Handler: h, ErrorLog: discardLogger()}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /panic HTTP/1.1\nHost: x\n\n"))
	res, body := readResponse(t, br, "GET")
	if res.StatusCode != 500 || strings.Contains(body, "partial") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	expectClosed(t, c, br)
	// Everyone else is still served.
	c2, br2 := dial(t, addr)
	io.WriteString(c2, wire("GET / HTTP/1.1\nHost: x\n\n"))
	if _, body := readResponse(t, br2, "GET"); body != "fine" {
		t.Fatalf("after panic: %q", body)
	}
}

func TestIPv6(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	srv := &Server{Handler: echo}
	go srv.Serve(ln)
	defer srv.Close()
	res, err := http.Get("http://" + ln.Addr().String() + "/six")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "GET /six  " {
		t.Fatalf("got %q", b)
	}
}

func TestListenAndServeAddressForms(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: echo}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe("127.0.0.1:0") }()
	// Port in use: a clear error, not a hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv2 := &Server{Handler: echo}
	if err := srv2.ListenAndServe(ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("ListenAndServe on a used port: %v", err)
	}
	srv.Close()
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("got %v", err)
	}
}

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

func itoa(n int) string { return strconv.Itoa(n) }

func readResponseErr(br *bufio.Reader, method string) (*http.Response, string, error) {
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body), err
}

func TestResponseReset(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.WriteHeader(201)
		w.Header().Set("X-First", "1")
		w.Write([]byte("first answer"))
		if !w.Reset() {
			t.Error("Reset refused before commit")
		}
		w.WriteHeader(409)
		w.Write([]byte("second"))
		w.Flush()
		if w.Reset() {
			t.Error("Reset accepted after commit")
		}
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	res, body := readResponse(t, br, "GET")
	if res.StatusCode != 409 || body != "second" || res.Header.Get("X-First") != "" {
		t.Fatalf("%d %q %v", res.StatusCode, body, res.Header)
	}
}

func TestValidField(t *testing.T) {
	for _, name := range []string{"X-Ok", "a!#$%&'*+-.^_`|~1"} {
		if !ValidFieldName(name) {
			t.Errorf("name %q refused", name)
		}
	}
	for _, name := range []string{"", "X Bad", "X:Bad", "X\r\n", "é"} {
		if ValidFieldName(name) {
			t.Errorf("name %q accepted", name)
		}
	}
	for _, v := range []string{"", "a b\tc", "caf\xc3\xa9"} {
		if !ValidFieldValue(v) {
			t.Errorf("value %q refused", v)
		}
	}
	for _, v := range []string{"a\r\nSet-Cookie: x", "a\nb", "a\x00", "a\x7f"} {
		if ValidFieldValue(v) {
			t.Errorf("value %q accepted", v)
		}
	}
}
