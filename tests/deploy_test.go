package tests

import (
	"bufio"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/luaserve/luaserve/internal/testcert"
)

// whoScript answers with what the route sees of its client.
const whoScript = `local app = require("luaserve")
app.get("/who", function(req)
  return req.remote_ip .. " " .. req.scheme .. " " .. req.id
end)
app.get("/fail", function(req) error("boom") end)
`

// rawGET sends one GET with extra header lines on a new connection and
// returns the response and its body.
func rawGET(t *testing.T, addr, path, extra string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n", path, extra)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	bufio.NewReader(res.Body).WriteTo(&sb)
	return res, sb.String()
}

// TestCLITrustedProxies: X-Forwarded-* from a trusted peer set
// req.remote_ip, req.scheme and req.id, the access log shows the client,
// and an error log line carries the request id; from an untrusted peer
// they are ignored.
func TestCLITrustedProxies(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", whoScript)
	s := startCLI(t, dir, "-trusted-proxies", "10.0.0.0/8, 127.0.0.1", "routes.lua")
	addr := strings.TrimPrefix(s.url, "http://")
	fwd := "X-Forwarded-For: 198.51.100.9, 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Request-Id: edge-42\r\n"
	res, body := rawGET(t, addr, "/who", fwd)
	if body != "198.51.100.9 https edge-42" || res.Header.Get("X-Request-Id") != "edge-42" {
		t.Errorf("from a trusted proxy: %q, X-Request-Id %q", body, res.Header.Get("X-Request-Id"))
	}
	waitLog(t, s.stdout, regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=request remote=127\.0\.0\.1:\d+ client=198\.51\.100\.9 method=GET target=/who status=200 .* request_id=edge-42$`))
	rawGET(t, addr, "/fail", "X-Request-Id: edge-43\r\n")
	waitLog(t, s.stderr, regexp.MustCompile(`msg="luaserve: route failed".* request_id=edge-43`))

	u := startCLI(t, dir, "-trusted-proxies", "10.0.0.0/8", "-no-request-id-header", "routes.lua")
	res, body = rawGET(t, strings.TrimPrefix(u.url, "http://"), "/who", fwd)
	if !regexp.MustCompile(`^127\.0\.0\.1 http [0-9a-v]{12}-[0-9a-v]+$`).MatchString(body) || res.Header.Get("X-Request-Id") != "" {
		t.Errorf("from an untrusted peer: %q, X-Request-Id %q", body, res.Header.Get("X-Request-Id"))
	}
	if strings.Contains(u.stdout.String(), "client=") {
		t.Errorf("a spoofed client in the access log:\n%s", u.stdout.String())
	}
}

func TestCLITrustedProxiesFlagErrors(t *testing.T) {
	t.Parallel()
	_, stderr, code := cli(t, ".", "-trusted-proxies", "10.0.0.0/33")
	if code != 2 || !strings.Contains(stderr, "-trusted-proxies") || !strings.Contains(stderr, "CIDR") {
		t.Errorf("a bad prefix: exit %d, stderr %q", code, stderr)
	}
}

// writeCert writes a new self-signed certificate for 127.0.0.1 with the
// given serial to dir/cert.pem and dir/key.pem and adds it to pool.
func writeCert(t *testing.T, dir string, serial int64, pool *x509.CertPool) {
	t.Helper()
	installCert(t, dir, makeCert(t, serial, pool))
}

// makeCert makes a self-signed certificate for 127.0.0.1, adds it to pool
// and returns the PEM of its key and of itself.
func makeCert(t *testing.T, serial int64, pool *x509.CertPool) [2][]byte {
	t.Helper()
	c, err := testcert.New(serial)
	if err != nil {
		t.Fatal(err)
	}
	pool.AddCert(c.Leaf)
	key, cert := c.PEM()
	return [2][]byte{key, cert}
}

// installCert replaces dir/key.pem, then dir/cert.pem, each by a rename.
func installCert(t *testing.T, dir string, pems [2][]byte) {
	t.Helper()
	for i, name := range []string{"key.pem", "cert.pem"} {
		tmp := filepath.Join(dir, "."+name+".tmp")
		writeFile(t, tmp, string(pems[i]))
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// servedSerial is the serial of the certificate a new handshake gets.
func servedSerial(addr string, pool *x509.CertPool) (int64, error) {
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64(), nil
}

// TestCLITLS: HTTPS with the binary: the route sees https, HSTS is sent,
// the plain listener redirects, and a certificate replaced on disk is
// served to new handshakes while requests keep succeeding, on new and
// kept-alive connections.
func TestCLITLS(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", whoScript)
	pool := x509.NewCertPool()
	writeCert(t, dir, 1, pool)
	s := startCLI(t, dir, "-tls-cert", "cert.pem", "-tls-key", "key.pem", "-hsts", "8760h",
		"-http-redirect-addr", "127.0.0.1:0", "routes.lua")
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("banner URL %q", s.url)
	}
	addr := strings.TrimPrefix(s.url, "https://")
	keep := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := keep.Get(s.url + "/who")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(string(body), "127.0.0.1 https ") || res.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("over TLS: %q, HSTS %q", body, res.Header.Get("Strict-Transport-Security"))
	}

	plain := waitLog(t, s.stderr, regexp.MustCompile(`redirecting plain HTTP to https" addr=(\S+)`))[1]
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noFollow.Get("http://" + plain + "/who?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if want := "https://127.0.0.1:" + strings.Split(addr, ":")[1] + "/who?x=1"; res.StatusCode != 308 || res.Header.Get("Location") != want {
		t.Errorf("redirect: %d %q, want 308 %q", res.StatusCode, res.Header.Get("Location"), want)
	}
	swapUnderLoad(t, dir, addr, pool, keep)
}

// swapUnderLoad replaces the certificate while clients send requests, and
// fails on any failed request.
func swapUnderLoad(t *testing.T, dir, addr string, pool *x509.CertPool, keep *http.Client) {
	next := makeCert(t, 2, pool) // before the clients share the pool
	fresh := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for i := range 4 {
		client := map[bool]*http.Client{true: fresh, false: keep}[i%2 == 0]
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Get("https://" + addr + "/who")
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for ok.Load() < 20 && failed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling: the load is under way first
	}
	installCert(t, dir, next)
	for serial, _ := servedSerial(addr, pool); serial != 2; serial, _ = servedSerial(addr, pool) {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("the new certificate was not served within 10s (serial %d)", serial)
		}
		time.Sleep(20 * time.Millisecond) // polling, under the deadline above
	}
	before := ok.Load()
	for ok.Load() < before+20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // some requests after the swap too
	}
	close(stop)
	wg.Wait()
	t.Logf("certificate swapped under load: %d requests before the new one was served, %d in all, %d failed", before, ok.Load(), failed.Load())
	if failed.Load() != 0 || ok.Load() < before+20 {
		t.Errorf("during the swap: %d requests failed, %d succeeded (%d after)", failed.Load(), ok.Load(), ok.Load()-before)
	}
}

func TestCLITLSFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{[]string{"-http-redirect-addr", ":80"}, "needs -tls-cert"},
		{[]string{"-tls-cert", "nope.pem", "-tls-key", "nope.key"}, "nope.pem"},
		{[]string{"-proxy-protocol"}, "-trusted-proxies"},
		{[]string{"-acme-domains", "a.example", "-tls-cert", "c", "-tls-key", "k"}, "drop -tls-cert"},
	} {
		_, stderr, code := cli(t, t.TempDir(), tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestCLIProxyProtocol: with -proxy-protocol, the PROXY header of a
// trusted peer names the client; a malformed one gets no answer.
func TestCLIProxyProtocol(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", whoScript)
	s := startCLI(t, dir, "-proxy-protocol", "-trusted-proxies", "127.0.0.1", "-header-timeout", "1s", "routes.lua")
	addr := strings.TrimPrefix(s.url, "http://")
	bare, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	bare.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(bare, "GET /who HTTP/1.1\r\nHost: x\r\n\r\n")
	if got, _ := io.ReadAll(bare); len(got) != 0 {
		t.Errorf("a trusted peer without a PROXY header was answered: %q", got)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\nGET /who HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if !strings.HasPrefix(string(b), "192.0.2.1 http ") {
		t.Errorf("through a PROXY header: %q", b)
	}
	waitLog(t, s.stdout, regexp.MustCompile(`remote=192\.0\.2\.1:56324 method=GET target=/who status=200`))
}

// bigJSONScript answers /big with about 26 KB of JSON (360 users), and
// /big-plain with the same, opted out of compression.
const bigJSONScript = `local app = require("luaserve")
local users = {}
for i = 1, 360 do
  users[i] = { id = i, name = "user-" .. i, email = "user-" .. i .. "@example.com", active = i % 3 ~= 0 }
end
app.get("/big", function() return { json = users } end)
app.get("/big-plain", function() return { json = users, headers = { ["Cache-Control"] = "no-transform" } } end)
app.get("/small", function() return { json = users[1] } end)
`

// TestCLICompression: a route's large JSON is gzipped for a client that
// accepts it, with Vary; not when the route opts out, not when small, not
// with -no-compress.
func TestCLICompression(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", bigJSONScript)
	s := startCLI(t, dir, "routes.lua")
	addr := strings.TrimPrefix(s.url, "http://")
	res, body := rawGET(t, addr, "/big", "Accept-Encoding: gzip, br\r\n")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("/big: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	_, identity := rawGET(t, addr, "/big", "")
	if string(plain) != identity || len(identity) < 25000 {
		t.Fatalf("gzipped body does not match the identity one (%d vs %d bytes)", len(plain), len(identity))
	}
	t.Logf("/big: %d bytes of JSON, %d gzipped", len(identity), len(body))
	for _, c := range []struct{ path, accept string }{{"/big-plain", "gzip"}, {"/small", "gzip"}, {"/big", "gzip;q=0"}} {
		res, _ := rawGET(t, addr, c.path, "Accept-Encoding: "+c.accept+"\r\n")
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s with %q: gzipped", c.path, c.accept)
		}
	}
	off := startCLI(t, dir, "-no-compress", "routes.lua")
	res, _ = rawGET(t, strings.TrimPrefix(off.url, "http://"), "/big", "Accept-Encoding: gzip\r\n")
	if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Vary") != "" {
		t.Errorf("-no-compress: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
}

// TestCLICombinedLog: -log-format combined writes nginx's combined format,
// with the client a trusted proxy named.
func TestCLICombinedLog(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", whoScript)
	s := startCLI(t, dir, "-log-format", "combined", "-trusted-proxies", "127.0.0.1", "routes.lua")
	rawGET(t, strings.TrimPrefix(s.url, "http://"), "/who?x=1",
		"X-Forwarded-For: 198.51.100.9\r\nUser-Agent: curl/8.5.0\r\nReferer: https://a.example/\r\n")
	waitLog(t, s.stdout, regexp.MustCompile(
		`(?m)^198\.51\.100\.9 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /who\?x=1 HTTP/1\.1" 200 \d+ "https://a\.example/" "curl/8\.5\.0"$`))
}
