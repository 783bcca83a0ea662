package tests

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
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
