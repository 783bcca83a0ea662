package tests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// TestHugeRepIsARouteError: string.rep of 3e9 bytes killed the process
// ("fatal error: out of memory"); now it is refused before allocating, by
// the request's memory budget: a 500, quickly, and the server serves on.
func TestHugeRepIsARouteError(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/rep", function(req) return tostring(#string.rep("x", tonumber(req.query.n))) end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Workers: 2, Timeout: time.Second})
	c := client(t)
	for _, n := range []string{"3000000000", "1000000000", "200000000"} {
		start := time.Now()
		res, _ := do(t, c, "GET", s.url+"/rep?n="+n, "")
		if res.StatusCode != 500 {
			t.Errorf("rep %s: %d, want 500", n, res.StatusCode)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("rep %s took %v", n, d)
		}
	}
	if _, body := do(t, c, "GET", s.url+"/rep?n=1000", ""); body != "1000" {
		t.Errorf("a small rep: %q", body)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "request memory limit exceeded") {
		t.Errorf("log lacks the reason:\n%s", logs)
	}
	if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
		t.Fatalf("/ok: %q", body)
	}
}

// TestInterimStatusIsARouteError: a route answering 100 sent a final
// "100 Continue" and nothing after it (the client hung, pipelined
// responses fell out of step); 101 claimed a protocol switch. Both are
// route errors now, and a pipelined request after them is answered in
// step.
func TestInterimStatusIsARouteError(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/100", function() return 100 end)
app.get("/101", function() return { status = 101, body = "upgrade?" } end)
app.get("/ok", function() return "ok" end)
`, engine.Config{})
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /100 HTTP/1.1\r\nHost: t\r\n\r\nGET /101 HTTP/1.1\r\nHost: t\r\n\r\nGET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
	br := bufio.NewReader(conn)
	for _, want := range []struct {
		status int
		body   string
	}{{500, "500 Internal Server Error\n"}, {500, "500 Internal Server Error\n"}, {200, "ok"}} {
		res, body := readOne(t, br, "GET")
		if res.StatusCode != want.status || body != want.body {
			t.Fatalf("got %d %q, want %d %q", res.StatusCode, body, want.status, want.body)
		}
	}
	if logs := s.logs.String(); !strings.Contains(logs, "100 is an interim status") {
		t.Errorf("log lacks the reason:\n%s", logs)
	}
}

// TestErrorValuesAreLogged: error() with a table logged err="": the value
// was lost. It is logged as JSON, with the place of the raise.
func TestErrorValuesAreLogged(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/table", function() error({ code = 1, why = "no" }) end)
app.get("/number", function() error(42) end)
app.get("/bool", function() error(false) end)
`, engine.Config{})
	c := client(t)
	for _, p := range []string{"/table", "/number", "/bool"} {
		if res, _ := do(t, c, "GET", s.url+p, ""); res.StatusCode != 500 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	logs := s.logs.String()
	for _, want := range []string{`routes.lua:3: {\"code\":1,\"why\":\"no\"}"`, `routes.lua:4: 42"`, `routes.lua:5: false"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestRequestTarget: req.target is the request-target as sent, the
// absolute form included.
func TestRequestTarget(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/t", function(req) return req.target .. " " .. req.path .. " " .. req.host end)
`, engine.Config{})
	for _, tc := range []struct{ target, want string }{
		{"/t?a=1", "/t?a=1 /t t"},
		{"http://example.com/t?x", "http://example.com/t?x /t example.com"},
	} {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", tc.target)
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		res, body := readOne(t, bufio.NewReader(conn), "GET")
		conn.Close()
		if res.StatusCode != 200 || body != tc.want {
			t.Errorf("%s: %d %q, want %q", tc.target, res.StatusCode, body, tc.want)
		}
	}
}

// TestSlowUploadsHoldNoState: eight clients trickling their uploads to a
// route that reads the body held every Lua state, and /hello answered 503
// meanwhile. The body is now received in full before a state is taken, so
// the trickles hold only their connections.
func TestSlowUploadsHoldNoState(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.post("/upload", function(req) return "got " .. #req.body end)
app.get("/hello", function() return "hello" end)
`, engine.Config{Workers: 2, Timeout: time.Second})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 8 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		// A head and the first byte of a 100-byte body; the rest never
		// comes while the test runs.
		io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nx")
	}
	cl := client(t)
	for i := range 10 {
		start := time.Now()
		res, body := do(t, cl, "GET", s.url+"/hello", "")
		if res.StatusCode != 200 || body != "hello" {
			t.Fatalf("request %d during the uploads: %d %q", i, res.StatusCode, body)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Fatalf("request %d took %v: it waited for a Lua state", i, d)
		}
	}
	// An upload that completes is served.
	c := conns[0]
	io.WriteString(c, strings.Repeat("y", 99))
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if res, body := readOne(t, bufio.NewReader(c), "POST"); res.StatusCode != 200 || body != "got 100" {
		t.Fatalf("completed upload: %d %q", res.StatusCode, body)
	}
}

// TestSortComparatorHonoursTheLimit: table.sort with a comparator that
// never returns is stopped at the time limit like any Lua loop.
func TestSortComparatorHonoursTheLimit(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/sort", function()
  local t = {}
  for i = 1, 100 do t[i] = 100 - i end
  table.sort(t, function(a, b) while true do end end)
  return "sorted"
end)
`, engine.Config{Timeout: 300 * time.Millisecond})
	start := time.Now()
	if res, _ := do(t, client(t), "GET", s.url+"/sort", ""); res.StatusCode != 504 {
		t.Fatalf("status %d, want 504", res.StatusCode)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}
