package tests

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

func TestRequestTable(t *testing.T) {
	t.Parallel()
	s := start(t, "request.lua", engine.Config{})
	c := client(t)
	res, body := do(t, c, "PUT", s.url+"/echo/x%20y/b/c?k=1&k=2&q=hello+world", "payload",
		"X-Thing", "one", "X-Thing", "two", "Cookie", "a=1; session=abc", "Content-Type", "text/plain")
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := map[string]any{
		"method":       "PUT",
		"path":         "/echo/x y/b/c",
		"raw_path":     "/echo/x%20y/b/c",
		"query_string": "k=1&k=2&q=hello+world",
		"query":        map[string]any{"k": "1", "q": "hello world"},
		"params":       map[string]any{"a": "x y", "rest": "b/c"},
		"cookies":      map[string]any{"a": "1", "session": "abc"},
		"body":         "payload",
		"version":      "HTTP/1.1",
		"host":         s.addr,
		"route":        "/echo/:a/*rest",
		"remote_ip":    "127.0.0.1",
	}
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("req.%s = %v, want %v", k, got[k], v)
		}
	}
	h, _ := got["headers"].(map[string]any)
	if h["x-thing"] != "one, two" || h["content-type"] != "text/plain" || h["content-length"] != "7" {
		t.Errorf("req.headers = %v", h)
	}
	if ra, _ := got["remote_addr"].(string); !strings.HasPrefix(ra, "127.0.0.1:") {
		t.Errorf("req.remote_addr = %q", got["remote_addr"])
	}
}

func TestRequestHelpers(t *testing.T) {
	t.Parallel()
	s := start(t, "request.lua", engine.Config{})
	c := client(t)
	_, body := do(t, c, "POST", s.url+"/helpers?k=a&k=b", `{"n":[1,2]}`,
		"x-thing", "1", "X-THING", "2", "Cookie", "session=s1", "Cookie", "session=s2")
	want := `{"json":{"n":[1,2]},"json_err":null,"header":"1, 2","header_values":["1","2"],"query_values":["a","b"],"cookie":"s1"}`
	if body != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	_, body = do(t, c, "POST", s.url+"/helpers", `{"n":`)
	var got map[string]any
	json.Unmarshal([]byte(body), &got)
	if got["json"] != nil || !strings.HasPrefix(fmt.Sprint(got["json_err"]), "json:") {
		t.Errorf("bad JSON body: %s", body)
	}
	_, body = do(t, c, "POST", s.url+"/form", "name=Ada+L&tag=x&tag=y%21", "Content-Type", "application/x-www-form-urlencoded")
	if body != `{"form":{"name":"Ada L","tag":"x"},"all":["x","y!"]}` {
		t.Errorf("form: %s", body)
	}
	_, body = do(t, c, "GET", s.url+"/lazy", "")
	if body != `{"method":"GET","nothing":true}` {
		t.Errorf("lazy: %s", body)
	}
}

func TestRouteErrorIs500AndServerStaysUp(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/boom", function(req)
  local t = nil
  return t.field
end)
app.get("/ok", function() return "ok" end)
`, engine.Config{})
	c := client(t)
	for range 3 {
		res, body := do(t, c, "GET", s.url+"/boom", "")
		if res.StatusCode != 500 || body != "500 Internal Server Error\n" {
			t.Fatalf("%d %q", res.StatusCode, body)
		}
		if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
			t.Fatalf("after an error: %q", body)
		}
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "routes.lua:5:") || !strings.Contains(logs, "stack traceback") {
		t.Fatalf("log lacks file:line and traceback:\n%s", logs)
	}
}

func TestDevShowsTraceback(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/boom", function(req) error("custom failure") end)
`, engine.Config{Dev: true})
	res, body := do(t, client(t), "GET", s.url+"/boom", "")
	if res.StatusCode != 500 || !strings.Contains(body, "routes.lua:3: custom failure") || !strings.Contains(body, "stack traceback") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
}

func TestTimeLimit(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/spin", function() while true do end end)
app.get("/sleep", function() require("luaserve.time").sleep(10) end)
-- hours in gopher-lua's own matcher, which the VM cannot interrupt
app.get("/pattern", function() return string.match(("a"):rep(1e5) .. "b", "(.-)%w*c") end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Timeout: 200 * time.Millisecond, Workers: 2})
	c := client(t)
	for _, path := range []string{"/spin", "/sleep", "/pattern", "/spin", "/spin"} {
		start := time.Now()
		res, _ := do(t, c, "GET", s.url+path, "")
		if res.StatusCode != 504 {
			t.Fatalf("%s: status %d, want 504", path, res.StatusCode)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%s took %v", path, d)
		}
	}
	// The stopped states were replaced: the server serves on, in parallel.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body, err := doErr(c, "GET", s.url+"/ok", "")
			if err != nil {
				t.Errorf("after timeouts: %v", err)
			} else if res.StatusCode != 200 || body != "ok" {
				t.Errorf("after timeouts: %d %q", res.StatusCode, body)
			}
		}()
	}
	wg.Wait()
}

func TestBlockingRouteDoesNotStallOthers(t *testing.T) {
	t.Parallel()
	st := newTestStore()
	s := startSource(t, `
local app = require("luaserve")
local store = require("luaserve.store")
local time = require("luaserve.time")
app.get("/slow", function() store.set("slow", true) time.sleep(1.5) return "slow" end)
app.get("/fast", function() return "fast" end)
`, engine.Config{Workers: 2, Store: st})
	c := client(t)
	slow := goDo(c, "GET", s.url+"/slow", "")
	st.waitSet(t, "slow", slow) // /slow holds one of the two states
	start := time.Now()
	for range 10 {
		if _, body := do(t, c, "GET", s.url+"/fast", ""); body != "fast" {
			t.Fatalf("fast: %q", body)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("10 fast requests took %v while a route slept", d)
	}
	select {
	case <-slow.done:
		t.Fatal("/slow finished before the fast requests did: nothing was measured")
	default:
	}
	if _, b := slow.wait(t); b != "slow" {
		t.Fatalf("slow: %q", b)
	}
}

func TestUndeclaredGlobalInRoute(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
counter = 0 -- a global declared while loading is fine
app.get("/leak", function() leaked = 1 return "no" end)
app.get("/count", function() counter = counter + 1 return tostring(counter) end)
`, engine.Config{Workers: 1})
	c := client(t)
	if res, _ := do(t, c, "GET", s.url+"/leak", ""); res.StatusCode != 500 {
		t.Fatalf("assignment to an undeclared global: status %d", res.StatusCode)
	}
	if !strings.Contains(s.logs.String(), "routes.lua:4: assignment to undeclared global 'leaked'") {
		t.Fatalf("log: %s", s.logs.String())
	}
	if _, body := do(t, c, "GET", s.url+"/count", ""); body != "1" {
		t.Fatalf("declared global: %q", body)
	}
}

func TestRequestTableDoesNotOutliveItsRequest(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local kept
app.get("/keep", function(req) kept = req return "kept" end)
app.get("/use", function(req) return kept.path end)
`, engine.Config{Workers: 1})
	c := client(t)
	if res, body := do(t, c, "GET", s.url+"/keep", ""); res.StatusCode != 200 || body != "kept" {
		t.Fatalf("/keep: %d %q", res.StatusCode, body)
	}
	if res, _ := do(t, c, "GET", s.url+"/use", ""); res.StatusCode != 500 {
		t.Fatalf("stale request table: status %d", res.StatusCode)
	}
	if !strings.Contains(s.logs.String(), "request table used after its response was sent") {
		t.Fatalf("log: %s", s.logs.String())
	}
}

func TestBadResponses(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/inject", function() return { headers = { ["x-a"] = "1\r\nSet-Cookie: evil=1" }, body = "x" } end)
app.get("/status", function() return { status = 99 } end)
app.get("/both", function() return { body = "a", json = {} } end)
app.get("/bool", function() return true end)
app.get("/fn", function() return { json = { f = print } } end)
`, engine.Config{})
	c := client(t)
	for _, p := range []string{"/inject", "/status", "/both", "/bool", "/fn"} {
		res, _ := do(t, c, "GET", s.url+p, "")
		if res.StatusCode != 500 || res.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: status %d, Set-Cookie %q", p, res.StatusCode, res.Header.Get("Set-Cookie"))
		}
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/set", function()
  return { body = "ok", cookies = {
    plain = "v1",
    full = { value = "v2", path = "/", max_age = 60, http_only = true, secure = true, same_site = "Lax" },
    dated = { value = "v3", expires = 0 },
  } }
end)
`, engine.Config{})
	res, _ := do(t, client(t), "GET", s.url+"/set", "")
	got := res.Header.Values("Set-Cookie")
	want := []string{"plain=v1", "full=v2; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax",
		"dated=v3; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Set-Cookie:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLargeResponse(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local big = string.rep("0123456789", 100000)
app.get("/big", function() return big end)
`, engine.Config{})
	res, body := do(t, client(t), "GET", s.url+"/big", "")
	if res.ContentLength != 1000000 || len(body) != 1000000 || len(res.TransferEncoding) != 0 {
		t.Fatalf("CL %d, got %d bytes, TE %v", res.ContentLength, len(body), res.TransferEncoding)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, src, want string }{
		{"syntax", "local app = require('luaserve')\napp.get('/x', function()\n  return 'x'\n", "routes.lua:3: unexpected end of file"},
		{"runtime", "local app = require('luaserve')\n\nlocal x = nil + 1\n", "routes.lua:3:"},
		{"bad_pattern", "local app = require('luaserve')\napp.get('nope', function() end)\n", "routes.lua:2: pattern \"nope\" must start with /"},
		{"duplicate", "local app = require('luaserve')\napp.get('/a/:x', function() end)\napp.get('/a/:y', function() end)\n", "routes.lua:3: GET /a/:y is already registered at"},
		{"missing_module", "require('no_such_module')\n", "module no_such_module not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := dir + "/routes.lua"
			writeFile(t, path, tc.src)
			_, err := engine.New(engine.Config{Script: path, Workers: 2})
			var le *engine.LoadError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a LoadError containing %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentConnections: many clients at once, every answer right; run
// with -race.
func TestConcurrentConnections(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.post("/double/:n", function(req)
  return { json = { n = tonumber(req.params.n) * 2, body = req.body } }
end)
`, engine.Config{Workers: 4})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", s.addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(conn)
			for i := range 25 {
				n := g*100 + i
				body := fmt.Sprintf("g%d-i%d", g, i)
				fmt.Fprintf(conn, "POST /double/%d HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s", n, len(body), body)
				res, got, err := readOneErr(br, "POST")
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf(`{"n":%d,"body":"%s"}`, 2*n, body)
				if res.StatusCode != 200 || got != want {
					errs <- fmt.Errorf("got %d %s, want %s", res.StatusCode, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSharedStoreAcrossStates: what one connection writes through the
// store, every other connection reads, whichever Lua state serves it; a
// module-level variable, by contrast, is per state. The writer's state is
// held while the others read, so they run on other states.
func TestSharedStoreAcrossStates(t *testing.T) {
	t.Parallel()
	st := newTestStore()
	s := startSource(t, `
local app = require("luaserve")
local store = require("luaserve.store")
local last_set -- module-level: one per state
app.post("/set/:k", function(req) last_set = req.params.k store.set(req.params.k, req:json()) return "ok" end)
app.get("/get/:k", function(req) return { json = { v = store.get(req.params.k), last_set = last_set or false } } end)
app.post("/incr", function() return tostring(store.incr("hits")) end)
`, engine.Config{Workers: 8, Store: st})
	c := client(t)
	release := st.hold(t, "doc")
	writer := goDo(c, "POST", s.url+"/set/doc", `{"title":"shared","tags":["a","b"],"n":3,"ok":true}`)
	st.waitSet(t, "doc", writer)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(conn)
			for range 10 {
				fmt.Fprintf(conn, "GET /get/doc HTTP/1.1\r\nHost: t\r\n\r\nPOST /incr HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
				_, got, err := readOneErr(br, "GET")
				if err == nil {
					_, _, err = readOneErr(br, "POST")
				}
				if err != nil {
					t.Error(err)
					return
				}
				if got != `{"v":{"title":"shared","tags":["a","b"],"n":3,"ok":true},"last_set":false}` {
					t.Errorf("read back %s", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	release()
	if res, body := writer.wait(t); res.StatusCode != 200 || body != "ok" {
		t.Errorf("the writer: %d %q", res.StatusCode, body)
	}
	if _, body := do(t, c, "POST", s.url+"/incr", ""); body != "161" {
		t.Fatalf("160 concurrent increments then one more: %s", body)
	}
}

func TestStoreAPI(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local store = require("luaserve.store")
local time = require("luaserve.time")
app.get("/", function()
  local out = {}
  assert(store.set("a:1", "one") == true)
  store.set("a:2", 2)
  store.set("a:3", false)
  store.set("b", { list = { 1, 2 } })
  out.get = store.get("a:1")
  out.num = store.get("a:2")
  out.bool = store.get("a:3")
  out.tbl = store.get("b").list[2]
  out.missing = store.get("zzz") == nil
  out.keys = table.concat(store.keys("a:"), ",")
  out.deleted = store.delete("a:1")
  out.deleted_again = store.delete("a:1")
  out.incr = store.incr("n", 5)
  out.incr2 = store.incr("n")
  local _, err = store.incr("a:3")
  out.incr_err = err
  store.set("short", "x", 0.05)
  time.sleep(0.1)
  out.expired = store.get("short") == nil
  store.set("a:2", nil)
  out.nil_deletes = store.get("a:2") == nil
  return { json = out }
end)
`, engine.Config{})
	_, body := do(t, client(t), "GET", s.url+"/", "")
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := map[string]any{"get": "one", "num": 2.0, "bool": false, "tbl": 2.0, "missing": true,
		"keys": "a:1,a:2,a:3", "deleted": true, "deleted_again": false, "incr": 5.0, "incr2": 6.0,
		"incr_err": "store: value is not an integer", "expired": true, "nil_deletes": true}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestStdlibModules(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local url = require("luaserve.url")
local log = require("luaserve.log")
local time = require("luaserve.time")
app.get("/", function()
  log.info("hello from lua", { user = "ada", n = 3 })
  log.warn("careful")
  print("printed", 42)
  local t0 = time.monotonic()
  return { json = {
    enc = url.encode("a b&c/d~"),
    dec = url.decode("a%20b%26"),
    q = url.encode_query({ b = "2", a = { "x", "y z" } }),
    pq = url.parse_query("x=1&y=a+b&x=2"),
    pqa = url.parse_query_all("x=1&x=2"),
    now_ok = time.now() > 1700000000,
    mono_ok = time.monotonic() >= t0,
  } }
end)
`, engine.Config{})
	_, body := do(t, client(t), "GET", s.url+"/", "")
	want := `{"enc":"a%20b%26c%2Fd~","dec":"a b&","q":"a=x&a=y+z&b=2","pq":{"x":"1","y":"a b"},"pqa":{"x":["1","2"]},"now_ok":true,"mono_ok":true}`
	if body != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	logs := s.logs.String()
	for _, w := range []string{`msg="hello from lua"`, "user=ada", "level=WARN msg=careful", `msg="printed\t42"`, "routes.lua:7"} {
		if !strings.Contains(logs, w) {
			t.Errorf("log lacks %q:\n%s", w, logs)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.post("/", function(req) return "read " .. #req.body end)
`, engine.Config{})
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Send 11 MiB of chunks while reading: the 413 arrives while the client
	// is still sending, and the server closes without reading the rest.
	go func() {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := "100000\r\n" + strings.Repeat("x", 0x100000) + "\r\n"
		for range 11 {
			if _, err := io.WriteString(c, chunk); err != nil {
				return // the server closed: expected
			}
		}
		io.WriteString(c, "0\r\n\r\n")
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, _ := readOne(t, bufio.NewReader(c), "POST")
	if res.StatusCode != 413 || !res.Close {
		t.Fatalf("11 MiB chunked body: status %d, close %v", res.StatusCode, res.Close)
	}
}

func TestHeadUsesGetRoute(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/page", function() return { html = string.rep("x", 5000), headers = { etag = '"v1"' } } end)
`, engine.Config{})
	c := client(t)
	get, gbody := do(t, c, "GET", s.url+"/page", "")
	if get.StatusCode != 200 || len(gbody) != 5000 || get.Header.Get("Etag") != `"v1"` {
		t.Fatalf("GET: %d, %d bytes, headers %v", get.StatusCode, len(gbody), get.Header)
	}
	head, hbody := do(t, c, "HEAD", s.url+"/page", "")
	if head.StatusCode != 200 || hbody != "" || head.ContentLength != int64(len(gbody)) ||
		head.Header.Get("Etag") != get.Header.Get("Etag") || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
		t.Fatalf("HEAD: %d CL %d body %q headers %v", head.StatusCode, head.ContentLength, hbody, head.Header)
	}
}

func TestAppConfig(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/", function()
  local c = app.config
  local ok = pcall(function() c.workers = 99 end)
  return { json = { version = c.version, dev = c.dev, workers = c.workers, timeout = c.timeout,
    script = c.script:match("routes.lua$"), assign_refused = not ok, same_version = app.version == c.version } }
end)
`, engine.Config{Workers: 3, Timeout: 1500 * time.Millisecond})
	_, body := do(t, client(t), "GET", s.url+"/", "")
	want := `{"version":"` + engine.Version + `","dev":false,"workers":3,"timeout":1.5,"script":"routes.lua","assign_refused":true,"same_version":true}`
	if body != want {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
}

// waitRoutes has a route that says it started, then sleeps 30 s, and one
// that answers at once; run with one Lua state.
const waitRoutes = `
local app = require("luaserve")
local store = require("luaserve.store")
local time = require("luaserve.time")
app.get("/wait", function() store.set("waiting", true) time.sleep(30) return "slept" end)
app.get("/ok", function() return "ok" end)
`

// TestClientGoneStopsRoute: a route waiting in time.sleep stops as soon as
// its client closes the connection, so its Lua state serves the next
// request long before the sleep would have ended; the log says why.
func TestClientGoneStopsRoute(t *testing.T) {
	t.Parallel()
	st := newTestStore()
	s := startSource(t, waitRoutes, engine.Config{Workers: 1, Store: st})
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
	st.waitSet(t, "waiting", &call{done: make(chan struct{})})
	c.Close()
	start := time.Now()
	if _, body := do(t, client(t), "GET", s.url+"/ok", ""); body != "ok" {
		t.Fatalf("/ok: %q", body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the only Lua state came back after %v: the route slept on without its client", d)
	}
	if logs := s.logs.String(); !strings.Contains(logs, `msg="luaserve: route stopped" route="GET /wait"`) ||
		!strings.Contains(logs, "client went away") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestServerCloseStopsRoute: closing the server (what the command does when
// the shutdown grace period ends) stops a route waiting in time.sleep.
func TestServerCloseStopsRoute(t *testing.T) {
	t.Parallel()
	st := newTestStore()
	s := startSource(t, waitRoutes, engine.Config{Workers: 1, Store: st})
	cl := goDo(client(t), "GET", s.url+"/wait", "")
	st.waitSet(t, "waiting", cl)
	start := time.Now()
	s.srv.Close()
	<-cl.done
	if cl.err == nil {
		t.Fatalf("the request was answered (%d %q) after the server closed", cl.res.StatusCode, cl.body)
	}
	// The route stops on its own goroutine; the engine logs it once done.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.logs.String(), "server closed") {
		if time.Now().After(deadline) {
			t.Fatalf("no sign of the route stopping %v after Close; log:\n%s", time.Since(start), s.logs.String())
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
}

// TestParamsHoldEscapedSlashes: the router splits the path as sent, then
// decodes each segment, so an escaped slash stays inside its parameter.
func TestParamsHoldEscapedSlashes(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/api/profiles/:name", function(req)
  return { json = { name = req.params.name, path = req.path, raw = req.raw_path } }
end)
app.get("/files/*rest", function(req) return { json = { rest = req.params.rest } } end)
app.get("/café", function() return "café" end)
`, engine.Config{})
	c := client(t)
	for _, tc := range []struct{ path, want string }{
		{"/api/profiles/a%2Fb", `{"name":"a/b","path":"/api/profiles/a/b","raw":"/api/profiles/a%2Fb"}`},
		{"/api/profiles/ada%20l", `{"name":"ada l","path":"/api/profiles/ada l","raw":"/api/profiles/ada%20l"}`},
		{"/files/x%2Fy/z", `{"rest":"x/y/z"}`},
		{"/caf%C3%A9", "café"},
	} {
		if res, body := do(t, c, "GET", s.url+tc.path, ""); res.StatusCode != 200 || body != tc.want {
			t.Errorf("%s: %d %s, want %s", tc.path, res.StatusCode, body, tc.want)
		}
	}
	if res, _ := do(t, c, "GET", s.url+"/api/profiles/a/b", ""); res.StatusCode != 404 {
		t.Errorf("/api/profiles/a/b: %d, want 404 (two segments)", res.StatusCode)
	}
}

// TestRouteWithoutArguments: a route that takes no arguments gets no
// request table made (nothing could see it), and whatever does see the
// request later still gets one: the not-found handler after a missing
// file, a vararg route, and the next route on the same state.
func TestRouteWithoutArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startSource(t, `
local app = require("luaserve")
app.not_found(function(req) return { status = 404, body = "missing " .. req.path } end)
app.get("/hello", function() return "hi" end)
app.get("/gone", function() return { file = "nope.txt" } end)
app.get("/va/:x", function(...) local req = ... return req.params.x end)
app.get("/path", function(req) return req.path end)
`, engine.Config{Workers: 1, Root: dir})
	c := client(t)
	for _, tc := range []struct{ path, body string }{
		{"/hello", "hi"}, {"/gone", "missing /gone"}, {"/va/abc", "abc"}, {"/path", "/path"}, {"/hello", "hi"},
	} {
		if _, body := do(t, c, "GET", s.url+tc.path, ""); body != tc.body {
			t.Errorf("%s: %q, want %q", tc.path, body, tc.body)
		}
	}
}
