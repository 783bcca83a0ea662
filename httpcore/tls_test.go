package httpcore

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/internal/testcert"
)

// testCert makes a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	c, err := testcert.New(1)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.Leaf)
	return c.TLS(), pool
}

// startTLS serves srv over TLS and returns its address and a client
// config that trusts it.
func startTLS(t testing.TB, srv *Server) (string, *tls.Config) {
	cert, pool := testCert(t)
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"}}
	return startServer(t, srv), &tls.Config{RootCAs: pool}
}

func TestTLSHandshakeVersions(t *testing.T) {
	t.Parallel()
	addr, ccfg := startTLS(t, &Server{Handler: whoami, HSTS: "max-age=63072000"})
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := ccfg.Clone()
		cfg.MinVersion, cfg.MaxVersion = v, v
		cfg.NextProtos = []string{"h2", "http/1.1"}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}}
		res, err := client.Get("https://" + addr + "/")
		if err != nil {
			t.Fatalf("version %x: %v", v, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.TLS.Version != v || res.TLS.NegotiatedProtocol != "http/1.1" || res.ProtoMajor != 1 {
			t.Errorf("version %x: got version %x, ALPN %q, %s", v, res.TLS.Version, res.TLS.NegotiatedProtocol, res.Proto)
		}
		if !strings.Contains(string(body), "scheme=https") || res.Header.Get("Strict-Transport-Security") != "max-age=63072000" {
			t.Errorf("version %x: body %q, HSTS %q", v, body, res.Header.Get("Strict-Transport-Security"))
		}
	}
	cfg := ccfg.Clone()
	cfg.MaxVersion = tls.VersionTLS11
	if _, err := tls.Dial("tcp", addr, cfg); err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, HSTS: "max-age=1"})
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, _ := readResponse(t, br, "GET"); res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
}

// TestConformanceOverTLS: the socket-level conformance cases and keep-alive,
// pipelining and chunked uploads behave the same over TLS.
func TestConformanceOverTLS(t *testing.T) {
	t.Parallel()
	addr, ccfg := startTLS(t, &Server{Handler: echo})
	dialTLS := func(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
		c, err := tls.Dial("tcp", addr, ccfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c, bufio.NewReader(c)
	}
	runConformance(t, addr, dialTLS)
	c, br := dialTLS(t, addr)
	io.WriteString(c, wire("GET /a HTTP/1.1\nHost: x\n\nPOST /b HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"+
		"POST /c HTTP/1.1\nHost: x\nContent-Length: 2\n\nhi"))
	for _, want := range []string{"GET /a  ", "POST /b  abc", "POST /c  hi"} {
		res, body := readResponse(t, br, "GET")
		if res.StatusCode != 200 || res.Close || body != want {
			t.Fatalf("pipelined over TLS: %d close %v %q, want %q", res.StatusCode, res.Close, body, want)
		}
	}
}

// TestSendFileOverTLS: a file goes through the TLS layer (no sendfile).
func TestSendFileOverTLS(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	want := strings.Repeat("0123456789abcdef", 40000)
	os.WriteFile(path, []byte(want), 0o644)
	addr, ccfg := startTLS(t, &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		w.SendFile(f, 16, int64(len(want)-16))
	})})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: ccfg}}
	for range 2 {
		res, err := client.Get("https://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || string(body) != want[16:] {
			t.Fatalf("file over TLS: %d bytes, err %v", len(body), err)
		}
	}
}

// TestTLSHandshakeTimeout: a client that connects and says nothing is
// closed after ReadHeaderTimeout.
func TestTLSHandshakeTimeout(t *testing.T) {
	t.Parallel()
	addr, _ := startTLS(t, &Server{Handler: echo, ReadHeaderTimeout: 200 * time.Millisecond})
	c, br := dial(t, addr)
	expectClosed(t, c, br)
}
