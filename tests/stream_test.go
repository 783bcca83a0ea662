package tests

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

const streamScript = `
local app = require("luaserve")
local store = require("luaserve.store")

app.get("/count/:n", function(req)
  local i, n = 0, tonumber(req.params.n)
  return { headers = { ["X-Kind"] = "count" }, body = function()
    i = i + 1
    if i > n then return nil end
    return "line " .. i .. "\n"
  end }
end)

app.get("/co", function()
  return { body = coroutine.wrap(function()
    for _, w in ipairs({ "a", "b", "c" }) do coroutine.yield(w) end
  end) }
end)

app.get("/wait", function()
  local sent = 0
  return { body = function()
    sent = sent + 1
    if sent == 1 then return "first\n" end
    -- the client has the first piece before this runs
    while not store.get("go") do require("luaserve.time").sleep(0.01) end
    if sent == 2 then return "second\n" end
  end }
end)

app.post("/go", function() store.set("go", true) return 204 end)

app.get("/fail", function()
  local i = 0
  return { body = function()
    i = i + 1
    if i == 2 then error("producer broke") end
    return "ok\n"
  end }
end)

app.get("/bad", function() return { body = function() return {} end } end)
`

// TestStreamedBody: a body function's pieces go out chunked as they are
// produced; an iterator from coroutine.wrap works; a producer failing
// mid-way cuts the connection (the client sees an incomplete body).
func TestStreamedBody(t *testing.T) {
	srv := startSource(t, streamScript, engine.Config{})
	c := client(t)
	res, body := do(t, c, "GET", srv.url+"/count/3", "")
	if res.StatusCode != 200 || body != "line 1\nline 2\nline 3\n" || res.Header.Get("X-Kind") != "count" ||
		len(res.TransferEncoding) != 1 || res.TransferEncoding[0] != "chunked" {
		t.Fatalf("count: %d %v %q", res.StatusCode, res.TransferEncoding, body)
	}
	if _, body := do(t, c, "GET", srv.url+"/co", ""); body != "abc" {
		t.Fatalf("coroutine: %q", body)
	}
	if _, _, err := doErr(c, "GET", srv.url+"/fail", ""); err == nil {
		t.Fatal("a producer that failed mid-way gave a complete response")
	}
	if !strings.Contains(srv.logs.String(), "producer broke") {
		t.Fatal("the producer's error is not in the log")
	}
	if res, _, err := doErr(c, "GET", srv.url+"/bad", ""); err == nil && res.StatusCode == 200 {
		t.Fatal("a producer returning a table gave a complete response")
	}
}

// TestStreamedBodyIsIncremental: the first piece reaches the client while
// the producer still waits for the second.
func TestStreamedBodyIsIncremental(t *testing.T) {
	srv := startSource(t, streamScript, engine.Config{})
	nc, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(nc)
	var got strings.Builder
	for !strings.Contains(got.String(), "first\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", got.String(), err)
		}
		got.WriteString(line)
	}
	do(t, client(t), "POST", srv.url+"/go", "")
	for !strings.HasSuffix(got.String(), "0\r\n\r\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", got.String(), err)
		}
		got.WriteString(line)
	}
	if !strings.Contains(got.String(), "second\n") {
		t.Fatalf("response %q", got.String())
	}
}
