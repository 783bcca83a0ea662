package outbound

import (
	"compress/gzip"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// hanging is a server that never answers; it lets go when the test ends.
func hanging(t *testing.T) *httptest.Server {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv
}

func TestEchoesMethodHeadersQueryAndBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		fmt.Fprintf(w, "%s %s %s %s %s", r.Method, r.URL.RawQuery, r.Header.Get("X-Key"), r.Host, b)
	}))
	defer srv.Close()
	c := newClient(t, Config{})
	res, err := c.Do(context.Background(), &Request{Method: "PUT", URL: srv.URL + "/p?a=1",
		Header: http.Header{"X-Key": {"k"}, "Host": {"virtual.test"}}, Body: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Body), "PUT a=1 k virtual.test hello"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if got := res.Header["X-Multi"]; len(got) != 2 {
		t.Errorf("X-Multi %q, want two values", got)
	}
}

func TestChunkedGzipResponse(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("gzip me ", 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w) // no Content-Length: chunked
		io.WriteString(zw, text)
		zw.Close()
	}))
	defer srv.Close()
	res, err := newClient(t, Config{}).Do(context.Background(), &Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != text {
		t.Errorf("body of %d bytes, want the %d decoded", len(res.Body), len(text))
	}
	// The limit applies to the decoded body: a gzip bomb stops at it.
	_, err = newClient(t, Config{MaxBody: 1000}).Do(context.Background(), &Request{URL: srv.URL})
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("err %v, want ErrBodyTooLarge", err)
	}
}

func TestMaxBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush()
		} else {
			w.Header().Set("Content-Length", "2000")
		}
		w.Write(make([]byte, 2000))
	}))
	defer srv.Close()
	c := newClient(t, Config{})
	for _, path := range []string{"/length", "/chunked"} {
		_, err := c.Do(context.Background(), &Request{URL: srv.URL + path, MaxBody: 1999})
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("%s: err %v, want ErrBodyTooLarge", path, err)
		}
		res, err := c.Do(context.Background(), &Request{URL: srv.URL + path, MaxBody: 2000})
		if err != nil || len(res.Body) != 2000 {
			t.Errorf("%s at the limit: %v", path, err)
		}
	}
	// A HEAD's Content-Length is no body.
	res, err := c.Do(context.Background(), &Request{Method: "HEAD", URL: srv.URL + "/length", MaxBody: 10})
	if err != nil || res.Status != 200 || len(res.Body) != 0 || res.Header.Get("Content-Length") != "2000" {
		t.Errorf("HEAD: %v %+v", err, res)
	}
}

func TestChargeRefusal(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 100000))
	}))
	defer srv.Close()
	over := errors.New("over budget")
	charged := 0
	_, err := newClient(t, Config{}).Do(context.Background(), &Request{URL: srv.URL, Charge: func(n int) error {
		if charged += n; charged > 50000 {
			return over
		}
		return nil
	}})
	if !errors.Is(err, over) {
		t.Errorf("err %v, want the charge's", err)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%q cookie=%q", r.Header.Get("Authorization"), r.Header.Get("Cookie"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/away":
			// The same address by another port: another origin.
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/echo", http.StatusMovedPermanently)
		case "/echo":
			fmt.Fprintf(w, "auth=%q", r.Header.Get("Authorization"))
		}
	}))
	defer srv.Close()
	c := newClient(t, Config{MaxRedirects: 3})
	auth := http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"a=b"}}
	_, err := c.Do(context.Background(), &Request{URL: srv.URL + "/loop"})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("loop: err %v, want ErrTooManyRedirects", err)
	}
	res, err := c.Do(context.Background(), &Request{URL: srv.URL + "/away", Header: auth})
	if err != nil || string(res.Body) != `auth="" cookie=""` {
		t.Errorf("across hosts: %v %q, want the credentials dropped", err, res.Body)
	}
	res, err = c.Do(context.Background(), &Request{URL: srv.URL + "/here", Header: auth})
	if err != nil || string(res.Body) != `auth="Bearer s3cret"` || res.URL != srv.URL+"/echo" {
		t.Errorf("same host: %v %q, want Authorization kept", err, res.Body)
	}
	res, err = c.Do(context.Background(), &Request{URL: srv.URL + "/here", MaxRedirects: -1})
	if err != nil || res.Status != 301 || res.Header.Get("Location") != "/echo" {
		t.Errorf("not followed: %v %+v, want the 301", err, res)
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	srv := hanging(t)
	c := newClient(t, Config{})
	start := time.Now()
	_, err := c.Do(context.Background(), &Request{URL: srv.URL, Timeout: 200 * time.Millisecond})
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "timeout after 200ms") {
		t.Errorf("err %v, want a timeout after 200ms", err)
	}
	if took < 200*time.Millisecond || took > 2*time.Second {
		t.Errorf("took %v, want about 200ms", took)
	}
	// The caller's context wins over a longer timeout, with its cause.
	stop := errors.New("request time limit")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, stop)
	defer cancel()
	_, err = c.Do(ctx, &Request{URL: srv.URL, Timeout: time.Minute})
	if !errors.Is(err, stop) {
		t.Errorf("err %v, want the context's cause", err)
	}
}

func TestRefusedConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = newClient(t, Config{}).Do(context.Background(), &Request{URL: "http://" + addr + "/?key=secret"})
	if err == nil || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "secret") {
		t.Errorf("err %v, want connection refused, without the query", err)
	}
}

func TestTLSCertificates(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the test
	srv.StartTLS()
	defer srv.Close()
	_, err := newClient(t, Config{}).Do(context.Background(), &Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed, not configured: err %v, want a certificate error", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Config{CAFile: ca})
	res, err := c.Do(context.Background(), &Request{URL: srv.URL})
	if err != nil || res.Status != 200 {
		t.Fatalf("with -http-ca: %v", err)
	}
	// The certificate is trusted, not every name: it is not for "localhost".
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err = c.Do(context.Background(), &Request{URL: "https://localhost:" + port})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("wrong name: err %v, want a certificate error", err)
	}
	if _, err := New(Config{CAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("a missing CA file was accepted")
	}
}

func TestHTTP2WhenOffered(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	res, err := newClient(t, Config{CAFile: ca}).Do(context.Background(), &Request{URL: srv.URL})
	if err != nil || string(res.Body) != "HTTP/2.0" {
		t.Errorf("%v %q, want HTTP/2.0", err, res.Body)
	}
}
