package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

// hooksScript answers every status the server makes in JSON, and tags
// every response through an after hook.
const hooksScript = `
local app = require("luaserve")
local store = require("luaserve.store")
app.get("/ok", function() return "ok" end)
app.post("/echo", function(req) return "got " .. #req.body end)
app.get("/boom", function() error("kaboom") end)
app.get("/spin", function() while true do end end)
app.get("/hold", function() store.set("hold", "1") return "held" end)
app.get("/big", function() return string.rep("x", 200000) end)
app.on_status(function(req, status, reason)
  return { json = { status = status, reason = reason, path = req.path } }
end)
app.after(function(req, res)
  res:set_header("X-Request-Id", "rid-" .. req.method)
  res:set_header("X-Seen-Status", tostring(res.status))
  if res:header("X-Drop") then res:del_header("X-Drop") end
end)
`

type statusJSON struct {
	Status int    `json:"status"`
	Reason string `json:"reason"`
	Path   string `json:"path"`
}

func checkHooked(t *testing.T, what string, status int, hdr map[string][]string, body string, want int) {
	t.Helper()
	var got statusJSON
	if status != want {
		t.Fatalf("%s: status %d, want %d (%q)", what, status, want, body)
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Status != want {
		t.Fatalf("%s: body %q is not the hook's JSON for %d", what, body, want)
	}
	if ct := strings.Join(hdr["Content-Type"], ","); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if rid := strings.Join(hdr["X-Request-Id"], ","); !strings.HasPrefix(rid, "rid-") {
		t.Errorf("%s: the after hook did not run (X-Request-Id %q)", what, rid)
	}
}

func TestStatusHooksAnswerServerStatuses(t *testing.T) {
	t.Parallel()
	s := startSource(t, hooksScript, engine.Config{Timeout: 300 * time.Millisecond})
	c := client(t)
	res, body := do(t, c, "GET", s.url+"/nowhere", "")
	checkHooked(t, "404", res.StatusCode, res.Header, body, 404)
	res, body = do(t, c, "DELETE", s.url+"/ok", "")
	checkHooked(t, "405", res.StatusCode, res.Header, body, 405)
	if res.Header.Get("Allow") == "" {
		t.Errorf("405 lost its Allow header")
	}
	res, body = do(t, c, "GET", s.url+"/boom", "")
	checkHooked(t, "500", res.StatusCode, res.Header, body, 500)
	if strings.Contains(body, "kaboom") {
		t.Errorf("on_status got the error message: %q", body)
	}
	start := time.Now()
	res, body = do(t, c, "GET", s.url+"/spin", "")
	checkHooked(t, "504", res.StatusCode, res.Header, body, 504)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("504 took %v", d)
	}
	res, body = do(t, c, "GET", s.url+"/ok", "")
	if res.StatusCode != 200 || body != "ok" || res.Header.Get("X-Seen-Status") != "200" {
		t.Fatalf("ok: %d %q %v", res.StatusCode, body, res.Header)
	}
	// A body over 64 KiB still gets the after hook's header: it waits.
	res, body = do(t, c, "GET", s.url+"/big", "")
	if len(body) != 200000 || res.Header.Get("X-Request-Id") != "rid-GET" {
		t.Fatalf("big: %d bytes, X-Request-Id %q", len(body), res.Header.Get("X-Request-Id"))
	}
}

// TestStatusHookBodyTooLarge: the core refuses the body; the script says
// so in JSON, and the connection still closes.
func TestStatusHookBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := startSource(t, hooksScript, engine.Config{}, func(srv *httpcore.Server) { srv.MaxBodyBytes = 1000 })
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n%s", strings.Repeat("y", 5000))
	res, body := readOne(t, bufio.NewReader(conn), "POST")
	checkHooked(t, "413", res.StatusCode, res.Header, body, 413)
	if !res.Close {
		t.Errorf("413 kept the connection open")
	}
	// Truncated chunked body: 400, in JSON.
	conn2, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	conn2.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn2, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
	res, body = readOne(t, bufio.NewReader(conn2), "POST")
	checkHooked(t, "bad chunk", res.StatusCode, res.Header, body, 400)
	res, body = do(t, client(t), "POST", s.url+"/echo", "small")
	if res.StatusCode != 200 || body != "got 5" {
		t.Fatalf("after the refusals: %d %q", res.StatusCode, body)
	}
}

// TestStatusHookBusy: with every state taken, the reserve state answers
// the 503 in JSON, with Retry-After.
func TestStatusHookBusy(t *testing.T) {
	t.Parallel()
	st := newTestStore()
	release := st.holdDeaf(t, "hold")
	s := startSource(t, hooksScript, engine.Config{Workers: 1, Timeout: time.Second, Store: st})
	c := client(t)
	held := goDo(c, "GET", s.url+"/hold", "")
	st.waitSet(t, "hold", held)
	res, body := do(t, c, "GET", s.url+"/ok", "")
	checkHooked(t, "503", res.StatusCode, res.Header, body, 503)
	if res.Header.Get("Retry-After") != "1" {
		t.Errorf("503 without Retry-After: %v", res.Header)
	}
	release()
	held.wait(t)
	res, body = do(t, c, "GET", s.url+"/ok", "")
	if res.StatusCode != 200 || body != "ok" {
		t.Fatalf("after 503: %d %q", res.StatusCode, body)
	}
}

// TestFailingHooksFallBack: hooks that fail, loop or answer garbage give
// the plain text, promptly, and are logged; nothing loops.
func TestFailingHooksFallBack(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/boom", function() error("kaboom") end)
app.get("/spin", function() while true do end end)
app.get("/ok", function() return "ok" end)
app.on_status(function(req, status)
  if status == 404 then error("hook broke") end
  if status == 405 then return { status = "nope" } end
  while true do end
end)
app.on_error(function(req, message, status)
  if status == 504 then error("504 hook broke") end
  while true do end
end)
app.after(function(req, res)
  if req.path == "/ok" then error("after broke") end
end)
`, engine.Config{Timeout: 300 * time.Millisecond, Workers: 2})
	c := client(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{{"GET", "/nowhere", 404}, {"POST", "/ok", 405}, {"GET", "/boom", 500}, {"GET", "/spin", 504}, {"GET", "/boom", 500}} {
		start := time.Now()
		res, body := do(t, c, tc.method, s.url+tc.path, "")
		if res.StatusCode != tc.status || !strings.HasPrefix(body, fmt.Sprint(tc.status)) ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s %s: %d %q, want plain %d", tc.method, tc.path, res.StatusCode, body, tc.status)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s %s took %v", tc.method, tc.path, d)
		}
		if tc.status == 405 && res.Header.Get("Allow") == "" {
			t.Errorf("the plain 405 lost its Allow header")
		}
	}
	res, body := do(t, c, "GET", s.url+"/ok", "")
	if res.StatusCode != 200 || body != "ok" {
		t.Fatalf("a failing after hook changed the response: %d %q", res.StatusCode, body)
	}
	logs := s.logs.String()
	for _, want := range []string{"hook broke", "504 hook broke", "after broke", "status hook failed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestOnErrorGetsTimeouts: on_error now hears of 504s too, with the status.
func TestOnErrorGetsTimeouts(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/boom", function() error("kaboom") end)
app.get("/spin", function() while true do end end)
app.on_error(function(req, message, status)
  return { json = { status = status, reason = message } }
end)
`, engine.Config{Timeout: 300 * time.Millisecond})
	c := client(t)
	for path, want := range map[string]int{"/boom": 500, "/spin": 504} {
		res, body := do(t, c, "GET", s.url+path, "")
		var got statusJSON
		if res.StatusCode != want || json.Unmarshal([]byte(body), &got) != nil || got.Status != want {
			t.Errorf("%s: %d %q", path, res.StatusCode, body)
		}
	}
	// Without on_status, the server's own 404 stays plain.
	res, body := do(t, c, "GET", s.url+"/nowhere", "")
	if res.StatusCode != 404 || body != "404 Not Found\n" {
		t.Errorf("404: %d %q", res.StatusCode, body)
	}
}

func TestAfterHookMisuse(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local kept
app.get("/kept", function() return tostring(pcall(kept.set_header, kept, "X-A", "b")) end)
app.get("/bad", function() return "bad" end)
app.after(function(req, res)
  kept = res
  if req.path == "/bad" then res:set_header("Content-Length", "1") end
  if req.path == "/assign" then res.extra = 1 end
end)
app.get("/assign", function() return "assign" end)
`, engine.Config{})
	c := client(t)
	do(t, c, "GET", s.url+"/kept", "")
	if _, body := do(t, c, "GET", s.url+"/kept", ""); body != "false" {
		t.Errorf("res kept past its hook still works: %q", body)
	}
	if res, body := do(t, c, "GET", s.url+"/bad", ""); res.StatusCode != 200 || body != "bad" {
		t.Errorf("after hook setting Content-Length: %d %q", res.StatusCode, body)
	}
	if res, body := do(t, c, "GET", s.url+"/assign", ""); res.StatusCode != 200 || body != "assign" {
		t.Errorf("after hook assigning to res: %d %q", res.StatusCode, body)
	}
	for _, want := range []string{"is the server's to set", "res is read-only"} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("the log lacks %q", want)
		}
	}
}
