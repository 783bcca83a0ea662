package tests

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cws "github.com/coder/websocket"
)

func wsVersionScript(v int) string {
	return fmt.Sprintf(`local app = require("luaserve")
local pubsub = require("luaserve.pubsub")
app.get("/", function() return "v%d" end)
app.ws("/ws", {
  open = function(conn) conn:subscribe("news") end,
  message = function(conn, data) conn:send("v%d:" .. data) end,
})
app.post("/news", function(req) pubsub.publish("news", req.body) return 204 end)
app.sse("/events", { open = function(stream) stream:send("v%d") end })
`, v, v, v)
}

// TestCLIWebSocketReloadAndShutdown: a reload keeps an open WebSocket and
// sends its next message to the new script; SIGTERM closes it with 1001,
// ends an open event stream, and the server exits.
func TestCLIWebSocketReloadAndShutdown(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", wsVersionScript(1))
	s := startCLI(t, dir, "-quiet", "routes.lua")
	addr := strings.TrimPrefix(s.url, "http://")
	c, ctx := dialWS(t, s.url+"/ws")
	c.Write(ctx, cws.MessageText, []byte("a"))
	if got := readText(t, ctx, c); got != "v1:a" {
		t.Fatalf("got %q", got)
	}
	writeFile(t, filepath.Join(dir, "routes.lua"), wsVersionScript(2))
	s.cmd.Process.Signal(syscall.SIGHUP)
	waitBody(t, addr, "/", bodyIs("v2"))
	c.Write(ctx, cws.MessageText, []byte("b"))
	if got := readText(t, ctx, c); got != "v2:b" {
		t.Fatalf("after the reload: %q", got)
	}
	_, events, _ := openSSE(t, s.url+"/events")
	if got := events.next(); got != "data: v2\n" {
		t.Fatalf("event %q", got)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if _, err := events.br.ReadString('\n'); err == nil {
		t.Fatal("the event stream went on after SIGTERM")
	}
	if _, _, err := c.Read(ctx); cws.CloseStatus(err) != cws.StatusGoingAway {
		t.Fatalf("on SIGTERM: %v, want 1001", err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("luaserve did not exit after closing its WebSockets")
	}
}

// TestCLIPubSubRedis: with a Redis store, a message published on one
// instance reaches a WebSocket open on another.
func TestCLIPubSubRedis(t *testing.T) {
	url, _ := ownRedis(t, freePort(t))
	dir := scriptDir(t, "routes.lua", wsVersionScript(1))
	a := startCLI(t, dir, "-quiet", "-store", url, "routes.lua")
	b := startCLI(t, dir, "-quiet", "-store", url, "routes.lua")
	c, ctx := dialWS(t, a.url+"/ws")
	c.Write(ctx, cws.MessageText, []byte("ready")) // open (and its subscribe) has run
	readText(t, ctx, c)
	// SUBSCRIBE takes effect in Redis asynchronously: publish until one
	// arrives.
	cl := client(t)
	got := make(chan string, 1)
	go func() {
		_, m, err := c.Read(ctx)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(m)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for arrived := false; !arrived; {
		do(t, cl, "POST", b.url+"/news", "from b")
		select {
		case m := <-got:
			if m != "from b" {
				t.Fatalf("got %q", m)
			}
			arrived = true
		case <-time.After(50 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("nothing published on b reached a's WebSocket")
			}
		}
	}
}

// TestCLIWebSocketFlags: -ws-max-message reaches the connections.
func TestCLIWebSocketFlags(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", wsVersionScript(1))
	s := startCLI(t, dir, "-quiet", "-ws-max-message", "100", "-ws-deflate", "routes.lua")
	c, ctx := dialWS(t, s.url+"/ws")
	c.Write(ctx, cws.MessageText, []byte(strings.Repeat("x", 100)))
	if got := readText(t, ctx, c); got != "v1:"+strings.Repeat("x", 100) {
		t.Fatalf("got %d bytes", len(got))
	}
	c.Write(ctx, cws.MessageText, []byte(strings.Repeat("x", 101)))
	if _, _, err := c.Read(ctx); cws.CloseStatus(err) != cws.StatusMessageTooBig {
		t.Fatalf("over -ws-max-message: %v, want 1009", err)
	}
}
