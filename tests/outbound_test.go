package tests

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// upstreamServer is the service routes call: /slow answers once three
// /slow calls are in flight together (so only calls made at once can
// succeed), /hang never (both until the caller gives up or the test
// ends), / at once. entered receives once per
// /hang call that arrived.
func upstreamServer(t *testing.T) (srv *httptest.Server, entered chan struct{}) {
	done := make(chan struct{})
	entered = make(chan struct{}, 100)
	var slowMu sync.Mutex
	slowIn, allIn := 0, make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			slowMu.Lock()
			if slowIn++; slowIn == 3 {
				close(allIn)
			}
			slowMu.Unlock()
			select {
			case <-allIn:
				io.WriteString(w, "slow "+r.URL.RawQuery)
			case <-r.Context().Done():
			}
		case "/hang":
			entered <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-done:
			}
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"hello":"upstream"}`)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv, entered
}

const gatewaySource = `local app = require("luaserve")
local http = require("luaserve.http")
local U = %q
app.get("/proxy", function()
  local res, err = http.get(U .. "/")
  if not res then return { status = 502, body = err } end
  return { status = res.status, body = res.body, headers = { ["content-type"] = res.headers["content-type"] } }
end)
app.get("/short", function()
  local res, err = http.get(U .. "/hang", { timeout = 0.2 })
  return { status = 200, body = tostring(err) }
end)
app.get("/hang", function()
  local res, err = http.get(U .. "/hang")
  return { status = 502, body = tostring(err) }
end)
app.get("/fan", function()
  local rs = http.request_all{ U .. "/slow?1", U .. "/slow?2", U .. "/slow?3" }
  return rs[1].body .. "," .. rs[2].body .. "," .. rs[3].body
end)
app.get("/ok", function() return "ok" end)
`

// TestOutboundCallsInTheEngine: through a real socket, a route returns an
// upstream's body; a call's own timeout fails it and the route answers;
// a call with none is cut off at the route's time limit (504); three
// calls through request_all are in flight at once.
func TestOutboundCallsInTheEngine(t *testing.T) {
	t.Parallel()
	up, _ := upstreamServer(t)
	s := startSource(t, fmt.Sprintf(gatewaySource, up.URL), engine.Config{Timeout: time.Second})
	c := client(t)

	res, body := do(t, c, "GET", s.url+"/proxy", "")
	if res.StatusCode != 200 || body != `{"hello":"upstream"}` || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("/proxy: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	start := time.Now()
	res, body = do(t, c, "GET", s.url+"/short", "")
	if took := time.Since(start); res.StatusCode != 200 || !strings.Contains(body, "timeout after 200ms") || took > 900*time.Millisecond {
		t.Errorf("/short: %d %q after %v, want the call's timeout at 200ms", res.StatusCode, body, took)
	}
	start = time.Now()
	res, _ = do(t, c, "GET", s.url+"/hang", "")
	if took := time.Since(start); res.StatusCode != 504 || took < time.Second || took > 3*time.Second {
		t.Errorf("/hang: %d after %v, want 504 at the 1s time limit", res.StatusCode, took)
	}
	// Each /slow waits for the other two: only calls made at once succeed,
	// whatever the time. One made alone waits for the route's time limit,
	// here 5 s, which a connection's stall (a SYN resent after 1 s on a
	// loaded machine) does not reach.
	fan := startSource(t, fmt.Sprintf(gatewaySource, up.URL), engine.Config{Timeout: 5 * time.Second})
	start = time.Now()
	res, body = do(t, c, "GET", fan.url+"/fan", "")
	if res.StatusCode != 200 || body != "slow 1,slow 2,slow 3" {
		t.Errorf("/fan: %d %q after %v, want the three in order, made at once", res.StatusCode, body, time.Since(start))
	}
}

// TestHangingUpstreamDoesNotStarve: the real binary, 8 states, 4 calls
// per host. Twelve requests call an upstream that never answers: four
// wait for it (and get 504 at the time limit), eight fail at once with
// the per-host limit's message, and meanwhile another route answers as
// fast as before.
func TestHangingUpstreamDoesNotStarve(t *testing.T) {
	t.Parallel()
	up, entered := upstreamServer(t)
	dir := scriptDir(t, "routes.lua", fmt.Sprintf(gatewaySource, up.URL))
	s := startCLI(t, dir, "-quiet", "-workers", "8", "-http-per-host", "4", "-timeout", "2s", "routes.lua")
	c := client(t)
	okRun := func() time.Duration {
		start := time.Now()
		for range 100 {
			if res, body := do(t, c, "GET", s.url+"/ok", ""); res.StatusCode != 200 || body != "ok" {
				t.Fatalf("/ok: %d %q", res.StatusCode, body)
			}
		}
		return time.Since(start)
	}
	before := okRun()
	var calls []*call
	for range 12 {
		calls = append(calls, goDo(client(t), "GET", s.url+"/hang", ""))
	}
	for range 4 {
		<-entered // four calls hang in the upstream
	}
	during := okRun()
	// Not one /ok waited for a hanging call: they were all answered while
	// four calls still hung (until their 2s time limit).
	hanging := 0
	for _, cl := range calls {
		select {
		case <-cl.done:
		default:
			hanging++
		}
	}
	if hanging < 4 {
		t.Errorf("the /ok requests ended after the hanging calls did (%d still hanging): they waited for them", hanging)
	}
	timedOut, busy := 0, 0
	for _, cl := range calls {
		res, body := cl.wait(t)
		switch {
		case res.StatusCode == 504:
			timedOut++
		case res.StatusCode == 502 && strings.Contains(body, "4 calls to 127.0.0.1") && strings.Contains(body, "already in flight"):
			busy++
		default:
			t.Errorf("/hang: %d %q", res.StatusCode, body)
		}
	}
	if timedOut != 4 || busy != 8 {
		t.Errorf("%d timed out and %d refused as busy, want 4 and 8", timedOut, busy)
	}
	// At full speed: compared with runs before and after the hang, so that
	// a moment of load from the other tests (the race detector runs them
	// all at once) is not taken for starvation.
	after := okRun()
	t.Logf("100 requests to /ok: %v before, %v with 4 calls hanging, %v after", before, during, after)
	if base := max(before, after); during > 3*base+200*time.Millisecond {
		t.Errorf("100 requests to /ok took %v with an upstream hanging, %v before and %v after", during, before, after)
	}
}

// TestAllowListInTheBinary: with -http-allow naming another host, a route
// cannot reach the upstream on 127.0.0.1; a bad -http-ca stops the start.
func TestAllowListInTheBinary(t *testing.T) {
	t.Parallel()
	up, _ := upstreamServer(t)
	dir := scriptDir(t, "routes.lua", fmt.Sprintf(gatewaySource, up.URL))
	s := startCLI(t, dir, "-quiet", "-http-allow", "api.example.com, *.example.org", "routes.lua")
	res, body := do(t, client(t), "GET", s.url+"/proxy", "")
	if res.StatusCode != 502 || !strings.Contains(body, "not in the allow-list") {
		t.Errorf("/proxy: %d %q, want the allow-list's refusal", res.StatusCode, body)
	}
	_, stderr, code := cli(t, dir, "-http-ca", "missing.pem", "routes.lua")
	if code != 2 || !strings.Contains(stderr, "missing.pem") {
		t.Errorf("-http-ca missing.pem: exit %d, %q", code, stderr)
	}
}

// TestProxyFromTheEnvironment: HTTP_PROXY sends the binary's calls through
// the proxy (loopback addresses aside, which is why the URL names a host).
func TestProxyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "proxied "+r.Method+" "+r.URL.String())
	}))
	defer proxy.Close()
	dir := scriptDir(t, "routes.lua", fmt.Sprintf(gatewaySource, "http://upstream.test"))
	s := startCLIEnv(t, dir, []string{"HTTP_PROXY=" + proxy.URL, "NO_PROXY="}, "-quiet", "routes.lua")
	res, body := do(t, client(t), "GET", s.url+"/proxy", "")
	if res.StatusCode != 200 || body != "proxied GET http://upstream.test/" {
		t.Errorf("/proxy: %d %q, want the proxy's answer", res.StatusCode, body)
	}
}

// TestHTTPCAInTheBinary: a self-signed upstream is refused, and accepted
// once -http-ca names its certificate.
func TestHTTPCAInTheBinary(t *testing.T) {
	t.Parallel()
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tls ok")
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the test
	up.StartTLS()
	defer up.Close()
	dir := scriptDir(t, "routes.lua", fmt.Sprintf(gatewaySource, up.URL),
		"ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})))
	plain := startCLI(t, dir, "-quiet", "routes.lua")
	res, body := do(t, client(t), "GET", plain.url+"/proxy", "")
	if res.StatusCode != 502 || !strings.Contains(body, "certificate") {
		t.Errorf("without -http-ca: %d %q, want a certificate error", res.StatusCode, body)
	}
	trusting := startCLI(t, dir, "-quiet", "-http-ca", "ca.pem", "routes.lua")
	res, body = do(t, client(t), "GET", trusting.url+"/proxy", "")
	if res.StatusCode != 200 || body != "tls ok" {
		t.Errorf("with -http-ca: %d %q", res.StatusCode, body)
	}
}
