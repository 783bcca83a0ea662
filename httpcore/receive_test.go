package httpcore

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pattern is n bytes that differ from position to position, so that a
// misplaced byte shows.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i>>9)
	}
	return p
}

// receiver is a handler that calls ReceiveBody and reports, in its
// response, what it saw: the temporary files during the request and a
// checksum of the body as Body (or ReadBody) gives it.
type receiver struct {
	dir      string
	readBody bool // read through ReadBody instead of Body
	first    int  // with readBody: read this many bytes through Body first
}

func (h receiver) ServeHTTP(w *ResponseWriter, r *Request) {
	if err := r.ReceiveBody(); err != nil {
		return // the core answers with its status
	}
	files, _ := os.ReadDir(h.dir)
	var body []byte
	var err error
	switch {
	case h.readBody:
		head := make([]byte, h.first)
		io.ReadFull(r.Body, head)
		var rest []byte
		rest, err = r.ReadBody()
		body = append(head, rest...)
	default:
		body, err = io.ReadAll(r.Body)
	}
	fmt.Fprintf(w, "files=%d len=%d crc=%08x err=%v", len(files), len(body), crc32.ChecksumIEEE(body), err)
}

func wantReceived(files int, body []byte) string {
	return fmt.Sprintf("files=%d len=%d crc=%08x err=<nil>", files, len(body), crc32.ChecksumIEEE(body))
}

// chunk encodes p in the chunked coding, in pieces of size bytes.
func chunk(p []byte, size int) []byte {
	var b bytes.Buffer
	for len(p) > 0 {
		n := min(size, len(p))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, p[:n])
		p = p[n:]
	}
	b.WriteString("0\r\nX-Trailer: t\r\n\r\n")
	return b.Bytes()
}

// post sends a request with body (a Content-Length one, or chunked when
// chunked), from a goroutine so that a server that answers early cannot
// deadlock the test, and returns the response.
func post(t *testing.T, addr string, body []byte, chunked bool) (string, int) {
	t.Helper()
	c, br := dial(t, addr)
	c.SetDeadline(time.Now().Add(30 * time.Second)) // megabytes, and -race on two busy cores
	head := "POST /r HTTP/1.1\nHost: x\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n"
	if chunked {
		head = "POST /r HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
		body = chunk(body, 10000)
	}
	go func() {
		io.WriteString(c, wire(head))
		c.Write(body)
	}()
	res, got := readResponse(t, br, "POST")
	return got, res.StatusCode
}

func dirEmpty(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds %s", dir, files[0].Name())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReceiveBodySpoolsToFile: a body past BodyMemory goes to a temporary
// file that exists while the handler runs and is gone after; Body and
// ReadBody give it back byte for byte.
func TestReceiveBodySpoolsToFile(t *testing.T) {
	t.Parallel()
	body := pattern(5 << 20)
	for _, tc := range []struct {
		name     string
		chunked  bool
		readBody bool
	}{
		{"length_body", false, false},
		{"length_readbody", false, true},
		{"chunked_body", true, false},
		{"chunked_readbody", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			srv := &Server{Handler: receiver{dir: dir, readBody: tc.readBody, first: 1000},
				BodyMemory: 1 << 20, BodyTempDir: dir}
			addr := startServer(t, srv)
			got, status := post(t, addr, body, tc.chunked)
			if want := wantReceived(1, body); status != 200 || got != want {
				t.Fatalf("%d %q, want 200 %q", status, got, want)
			}
			dirEmpty(t, dir)
		})
	}
}

// TestReceiveBodyInMemory: a body within BodyMemory stays in memory, and
// the connection keeps no large buffer afterwards.
func TestReceiveBodyInMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kept := make(chan int, 1)
	recv := receiver{dir: dir}
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Method) == "GET" {
			kept <- cap(r.c.bodyBuf)
			return
		}
		recv.ServeHTTP(w, r)
	})
	addr := startServer(t, &Server{Handler: h, BodyMemory: 1 << 20, BodyTempDir: dir})
	for _, chunked := range []bool{false, true} {
		for _, n := range []int{10, 100 << 10, 1 << 20} {
			body := pattern(n)
			got, status := post(t, addr, body, chunked)
			if want := wantReceived(0, body); status != 200 || got != want {
				t.Fatalf("chunked %v, %d bytes: %d %q, want 200 %q", chunked, n, status, got, want)
			}
		}
	}
	c, br := dial(t, addr)
	body := pattern(1 << 20)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: "+strconv.Itoa(len(body))+"\n\n"))
	c.Write(body)
	readResponse(t, br, "POST")
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
	readResponse(t, br, "GET")
	if n := <-kept; n > keepBodyBuf {
		t.Fatalf("connection kept a %d-byte body buffer, want at most %d", n, keepBodyBuf)
	}
}

// TestReceiveBodyTrickle408: a client that sends a byte every 50 ms keeps
// each read well within BodyReadTimeout, yet gets 408 once the whole-body
// deadline passes.
func TestReceiveBodyTrickle408(t *testing.T) {
	t.Parallel()
	for _, chunked := range []bool{false, true} {
		t.Run("chunked="+strconv.FormatBool(chunked), func(t *testing.T) {
			t.Parallel()
			srv := &Server{Handler: receiver{dir: t.TempDir()}, BodyTimeout: 300 * time.Millisecond,
				MinBodyRate: 1 << 30, BodyReadTimeout: 10 * time.Second}
			addr := startServer(t, srv)
			c, br := dial(t, addr)
			head := "POST / HTTP/1.1\nHost: x\nContent-Length: 1000\n\n"
			if chunked {
				head = "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n3e8\n"
			}
			start := time.Now()
			io.WriteString(c, wire(head))
			go trickle(c, 50*time.Millisecond)
			res, _ := readResponse(t, br, "POST")
			d := time.Since(start)
			if res.StatusCode != 408 || !res.Close {
				t.Fatalf("status %d close %v after %v, want 408 and close", res.StatusCode, res.Close, d)
			}
			if d < 250*time.Millisecond || d > 3*time.Second { // a trickle of 1000 bytes takes 50 s
				t.Fatalf("408 after %v, want about 300ms", d)
			}
		})
	}
}

// TestWholeBodyDeadlineBeyondReceiveBody: ReadBody, and the core's discard
// of a body the handler left unread, read a whole body too and keep to the
// same deadline, however the client trickles.
func TestWholeBodyDeadlineBeyondReceiveBody(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/read" {
			if _, err := r.ReadBody(); err != nil {
				return
			}
		}
		w.Write([]byte("answered"))
	})
	srv := &Server{Handler: h, BodyTimeout: 300 * time.Millisecond, MinBodyRate: 1 << 30, BodyReadTimeout: 10 * time.Second}
	addr := startServer(t, srv)
	for _, path := range []string{"/read", "/ignore"} {
		c, br := dial(t, addr)
		start := time.Now()
		io.WriteString(c, wire("POST "+path+" HTTP/1.1\nHost: x\nContent-Length: 1000\n\n"))
		go trickle(c, 50*time.Millisecond)
		res, body := readResponse(t, br, "POST")
		if path == "/read" && res.StatusCode != 408 || path == "/ignore" && body != "answered" {
			t.Fatalf("%s: %d %q", path, res.StatusCode, body)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := br.ReadByte(); err == nil {
			t.Fatalf("%s: more bytes after the response", path)
		}
		if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
			t.Fatalf("%s: closed after %v, want about 300ms", path, d)
		}
	}
}

// TestReceiveBodyBurstThenStall: time is earned by bytes received, not
// declared. A client that declares 100 KiB, sends 10 KiB (a second's
// worth at 10 KiB/s) and then trickles is cut off about BodyTimeout plus
// that second after the start, not the ten seconds its declaration would
// buy.
func TestReceiveBodyBurstThenStall(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: receiver{dir: t.TempDir()}, BodyTimeout: 300 * time.Millisecond,
		MinBodyRate: 10 << 10, BodyReadTimeout: 10 * time.Second}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	start := time.Now()
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nContent-Length: 102400\n\n"))
	c.Write(pattern(10 << 10))
	go trickle(c, 50*time.Millisecond)
	res, _ := readResponse(t, br, "POST")
	if d := time.Since(start); res.StatusCode != 408 || d < time.Second || d > 4*time.Second {
		t.Fatalf("status %d after %v, want 408 after about 1.3s", res.StatusCode, d)
	}
}

// trickle writes a byte every interval until the connection fails.
func trickle(c net.Conn, interval time.Duration) {
	for {
		if _, err := c.Write([]byte{'t'}); err != nil {
			return
		}
		time.Sleep(interval)
	}
}

// TestReceiveBodyChunkedEarnsTime: a chunked body earns a second per
// MinBodyRate bytes received, so a steady upload outlasts BodyTimeout.
func TestReceiveBodyChunkedEarnsTime(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: receiver{dir: t.TempDir()}, BodyTimeout: 200 * time.Millisecond, MinBodyRate: 10 << 10}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"))
	piece := bytes.Repeat([]byte("e"), 1<<10)
	go func() {
		// 1 KiB every 25 ms (40 KiB/s) for 600 ms: three times BodyTimeout.
		for range 24 {
			fmt.Fprintf(c, "400\r\n%s\r\n", piece)
			time.Sleep(25 * time.Millisecond)
		}
		io.WriteString(c, "0\r\n\r\n")
	}()
	sent := bytes.Repeat(piece, 24)
	res, got := readResponse(t, br, "POST")
	if want := wantReceived(0, sent); res.StatusCode != 200 || got != want {
		t.Fatalf("%d %q, want 200 %q", res.StatusCode, got, want)
	}
}

// TestReceiveBodyTooLarge: a chunked body past MaxBodyBytes gets 413 from
// ReceiveBody (a declared one gets it before the handler runs), and its
// partial temporary file is removed.
func TestReceiveBodyTooLarge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := &Server{Handler: receiver{dir: dir}, MaxBodyBytes: 2 << 20, BodyMemory: 512 << 10, BodyTempDir: dir}
	addr := startServer(t, srv)
	for _, chunked := range []bool{true, false} {
		_, status := post(t, addr, pattern(3<<20), chunked)
		if status != 413 {
			t.Fatalf("chunked %v: status %d, want 413", chunked, status)
		}
	}
	dirEmpty(t, dir)
}

// TestReceiveBodyFileRemoved: the temporary file goes when the handler
// panics, and when the client leaves halfway.
func TestReceiveBodyFileRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	entered := make(chan struct{}, 1)
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path) == "/gone" {
			entered <- struct{}{}
		}
		if err := r.ReceiveBody(); err == nil && string(r.Path) == "/panic" {
			panic("after receiving")
		}
	})
	srv := &Server{Handler: h, BodyMemory: 1 << 10, BodyTempDir: dir, ErrorLog: discardLogger()}
	addr := startServer(t, srv)
	if _, status := post(t, addr, pattern(100<<10), false); status != 200 {
		t.Fatalf("control: %d", status)
	}
	c, br := dial(t, addr)
	go func() {
		io.WriteString(c, wire("POST /panic HTTP/1.1\nHost: x\nContent-Length: 102400\n\n"))
		c.Write(pattern(100 << 10))
	}()
	if res, _ := readResponse(t, br, "POST"); res.StatusCode != 500 {
		t.Fatalf("panic: %d, want 500", res.StatusCode)
	}
	dirEmpty(t, dir)

	gone, _ := dial(t, addr)
	io.WriteString(gone, wire("POST /gone HTTP/1.1\nHost: x\nContent-Length: 1048576\n\n"))
	gone.Write(pattern(64 << 10))
	<-entered
	deadline := time.Now().Add(5 * time.Second)
	for files, _ := os.ReadDir(dir); len(files) == 0 && time.Now().Before(deadline); files, _ = os.ReadDir(dir) {
		time.Sleep(time.Millisecond) // until the spool has begun
	}
	gone.Close()
	dirEmpty(t, dir)
}

// TestReceiveBodyExpectContinue: ReceiveBody sends 100 Continue, as the
// first read of Body does.
func TestReceiveBodyExpectContinue(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: receiver{dir: t.TempDir()}})
	c, br := dial(t, addr)
	io.WriteString(c, wire("PUT / HTTP/1.1\nHost: x\nContent-Length: 4\nExpect: 100-continue\n\n"))
	if line, _ := br.ReadString('\n'); line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "data")
	if res, got := readResponse(t, br, "PUT"); res.StatusCode != 200 || got != wantReceived(0, []byte("data")) {
		t.Fatalf("%d %q", res.StatusCode, got)
	}
}

// TestReceiveBodyErrorRepeats: a malformed body's error comes back from a
// second call and from Body too, and the connection answers with its
// status even though the handler wrote something else.
func TestReceiveBodyErrorRepeats(t *testing.T) {
	t.Parallel()
	same := make(chan bool, 1)
	h := HandlerFunc(func(w *ResponseWriter, r *Request) {
		err := r.ReceiveBody()
		_, bodyErr := r.Body.Read(make([]byte, 10))
		same <- StatusOf(err) == 400 && r.ReceiveBody() == err && bodyErr == err
		w.Write([]byte("handler's answer"))
	})
	addr := startServer(t, &Server{Handler: h})
	c, br := dial(t, addr)
	io.WriteString(c, wire("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\nzz\n"))
	res, body := readResponse(t, br, "POST")
	if res.StatusCode != 400 || !strings.Contains(body, "chunked") {
		t.Fatalf("%d %q, want 400 for the chunked framing", res.StatusCode, body)
	}
	if !<-same {
		t.Fatal("ReceiveBody's second call or Body gave another error than the first call")
	}
}

// TestSpoolYieldsEachMiB: an upload copied to its temporary file gives the
// CPU up after each MiB (see yieldChunks), through a real socket: without
// it a fast upload keeps the processor for whole time slices and short
// requests queue behind it (tests/fairness_test.go shows the effect). Not
// parallel: the count is the package's.
func TestSpoolYieldsEachMiB(t *testing.T) {
	dir := t.TempDir()
	srv := &Server{Handler: receiver{dir: dir}, BodyMemory: 1 << 20, BodyTempDir: dir}
	addr := startServer(t, srv)
	body := pattern(9 << 20)
	before := spoolYields.Load()
	got, status := post(t, addr, body, false)
	if want := wantReceived(1, body); status != 200 || got != want {
		t.Fatalf("%d %q, want 200 %q", status, got, want)
	}
	// 8 MiB or more go to the file in chunks of at most 64 KiB: at least
	// 128 chunks, so at least 8 yields.
	if n := spoolYields.Load() - before; n < 8 {
		t.Errorf("%d yields while spooling 8 MiB, want at least 8", n)
	}
}
