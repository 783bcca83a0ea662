package http_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	luahttp "github.com/luaserve/luaserve/lua/stdlib/http"
	luajson "github.com/luaserve/luaserve/lua/stdlib/json"
	luatime "github.com/luaserve/luaserve/lua/stdlib/time"
	"github.com/luaserve/luaserve/outbound"
	"github.com/luaserve/luaserve/store"
)

// ctxHost is a stdlib.Host whose context the test chooses.
type ctxHost struct {
	stdlib.BasicHost
	ctx context.Context
}

func (h *ctxHost) Context() context.Context { return h.ctx }

// upstream is the service the Lua code calls.
func upstream(t *testing.T) *httptest.Server {
	done := make(chan struct{})
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		switch r.URL.Path {
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "query": r.URL.RawQuery,
				"type": r.Header.Get("Content-Type"), "token": r.Header.Get("X-Token"), "body": string(b)})
		case "/multi":
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.WriteHeader(404)
			io.WriteString(w, "not here")
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, strings.Repeat("z", 10000))
			zw.Close()
		case "/slow":
			time.Sleep(200 * time.Millisecond) // the upstream's own latency, not synchronisation
			io.WriteString(w, r.URL.RawQuery)
		case "/hang":
			select {
			case <-r.Context().Done():
			case <-done:
			}
		case "/redir":
			nethttp.Redirect(w, r, "/echo?from=redir", nethttp.StatusFound)
		case "/big":
			w.Write(make([]byte, 100000))
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv
}

// run runs code in a state with luaserve.http, BASE set to the upstream's
// URL and DEAD to a port nothing listens on; a failed assert fails t.
func run(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	c, err := outbound.New(outbound.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	h := &ctxHost{BasicHost: stdlib.BasicHost{Logger: slog.New(slog.DiscardHandler), Shared: store.NewMemory(0)}, ctx: ctx}
	L := stdlib.NewState(h, stdlib.Options{Modules: []stdlib.Module{luajson.Module(), luahttp.Module(c), luatime.Module()}})
	defer L.Close()
	L.SetGlobal("BASE", lua.LString(upstream(t).URL))
	L.SetGlobal("DEAD", lua.LString("http://"+deadAddr(t)))
	if err := L.DoString(`local http = require("luaserve.http")` + "\n" + code); err != nil {
		t.Error(err)
	}
}

func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestRequests(t *testing.T) {
	t.Parallel()
	run(t, context.Background(), `
local res = assert(http.get(BASE .. "/echo?x=1", { query = { q = "a b&c", list = { 1, 2.5 }, big = 1e6 }, headers = { ["X-Token"] = 7 } }))
assert(res.status == 200, res.status)
assert(res.headers["content-type"] == "application/json; charset=utf-8")
assert(res.json.method == "GET" and res.json.token == "7")
assert(res.json.query == "x=1&big=1000000&list=1&list=2.5&q=a+b%26c", res.json.query)

res = assert(http.post(BASE .. "/echo", { name = "ada" }))
assert(res.json.method == "POST" and res.json.type == "application/json" and res.json.body == '{"name":"ada"}', res.body)
res = assert(http.post(BASE .. "/echo", "raw", { headers = { ["content-type"] = "text/plain" } }))
assert(res.json.body == "raw" and res.json.type == "text/plain")
res = assert(http.request{ method = "put", url = BASE .. "/echo", form = { a = "1 2", b = { "x", "y" } } })
assert(res.json.method == "PUT" and res.json.body == "a=1+2&b=x&b=y" and res.json.type == "application/x-www-form-urlencoded")
res = assert(http.request{ method = "PATCH", url = BASE .. "/echo", json = { 1, 2 } })
assert(res.json.body == "[1,2]")

res = assert(http.get(BASE .. "/multi"))
assert(res.status == 404 and res.body == "not here" and res.json == nil)
assert(type(res.headers["set-cookie"]) == "table" and res.headers["set-cookie"][2] == "b=2")

res = assert(http.get(BASE .. "/redir"))
assert(res.status == 200 and res.url == BASE .. "/echo?from=redir" and res.json.query == "from=redir", res.url)
res = assert(http.get(BASE .. "/redir", { follow_redirects = false }))
assert(res.status == 302 and res.headers.location == "/echo?from=redir" and res.url == BASE .. "/redir")

res = assert(http.get(BASE .. "/gzip"))
assert(#res.body == 10000 and res.headers["content-encoding"] == nil)
`)
}

func TestFailuresAreValues(t *testing.T) {
	t.Parallel()
	run(t, context.Background(), `
local res, err = http.get(DEAD .. "/?key=secret")
assert(res == nil and err:find("refused") and not err:find("secret"), err)
res, err = http.get(BASE .. "/big", { max_body = 1000 })
assert(res == nil and err:find("larger than max_body"), err)
res, err = http.get(BASE .. "/hang", { timeout = 0.1 })
assert(res == nil and err:find("timeout after 100ms"), err)
res, err = http.get("ftp://example.com/")
assert(res == nil and err:find("not allowed"), err)
`)
}

func TestMisuseIsAnError(t *testing.T) {
	t.Parallel()
	for _, code := range []string{
		`http.request{ url = BASE, heders = {} }`,
		`http.request{ url = BASE, body = "a", json = {} }`,
		`http.request{ method = "GET" }`,
		`http.post(BASE, "a", { body = "b" })`,
		`http.get(BASE, { timeout = -1 })`,
		`http.get(BASE, { headers = { x = print } })`,
		`http.get(BASE, { headers = { x = { {} } } })`,
		`http.request_all{ BASE, 42 }`,
	} {
		run(t, context.Background(), `
local ok, err = pcall(function() `+code+` end)
assert(not ok and err:find("bad argument"), '`+code+`')`)
	}
}

// TestRequestAllFansOut: three 200 ms calls at once take about 200 ms,
// not 600, and come back in order, a failure as { err = ... }.
func TestRequestAllFansOut(t *testing.T) {
	t.Parallel()
	run(t, context.Background(), `
local time = require("luaserve.time")
local start = time.monotonic()
local rs = http.request_all{ BASE .. "/slow?1", { url = BASE .. "/slow", query = { n = 2 } }, BASE .. "/slow?3", DEAD }
local took = time.monotonic() - start
assert(took >= 0.2 and took < 0.45, "request_all of three 200 ms calls took " .. took .. " s")
assert(#rs == 4)
assert(rs[1].body == "1" and rs[2].body == "n=2" and rs[3].body == "3", rs[1].body)
assert(rs[4].status == nil and rs[4].err:find("refused"), rs[4].err)
`)
}

// TestTheRequestBounds: the request's context ends a call, and response
// bodies are charged to its memory budget.
func TestTheRequestBounds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeoutCause(context.Background(), 150*time.Millisecond, fmt.Errorf("request time limit"))
	defer cancel()
	run(t, ctx, `
local res, err = http.get(BASE .. "/hang")
assert(res == nil and err:find("request time limit"), err)`)
	budget := &testBudget{limit: 50000}
	run(t, stdlib.WithBudget(context.Background(), budget), `
local res, err = http.get(BASE .. "/big")
assert(res == nil and err:find("request memory limit exceeded"), err)`)
}

// testBudget is a stdlib.Budget of limit bytes.
type testBudget struct {
	used  atomic.Int64
	limit int64
}

func (b *testBudget) Charge(n int) error {
	if b.used.Add(int64(n)) > b.limit {
		return stdlib.ErrMemoryLimit
	}
	return nil
}
