package tests

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

const realtimeScript = `
local app = require("luaserve")
local pubsub = require("luaserve.pubsub")
local store = require("luaserve.store")

app.ws("/ws/:room", {
  open = function(conn, req)
    if req.query.deny then return { status = 403, text = "not you\n" } end
    conn:set("room", req.params.room)
    assert(conn:subscribe("room:" .. req.params.room))
    conn:send("welcome " .. conn.id)
  end,
  message = function(conn, data, kind)
    if data == "who" then conn:send(conn:get("room") .. " " .. conn.kind)
    elseif data == "bye" then conn:close(4000, "bye")
    elseif data == "boom" then error("boom in message")
    elseif kind == "binary" then conn:send(data, "binary")
    else pubsub.publish("room:" .. conn:get("room"), data) end
  end,
  close = function(conn, code, reason)
    store.set("closed:" .. conn.id, code .. " " .. reason)
  end,
})

app.ws("/partner", { origins = { "https://app.example" } })
app.ws("/proto", { protocols = { "chat.v2", "chat.v1" },
  open = function(conn) conn:send("speaking " .. conn.protocol) end })

app.post("/say/:room", function(req)
  pubsub.publish("room:" .. req.params.room, req.body)
  return { json = { subscribers = pubsub.subscribers("room:" .. req.params.room) } }
end)

app.get("/send/:id", function(req)
  local c = app.conn(req.params.id)
  if not c then return 404 end
  c:send("direct to " .. c.id)
  return 204
end)

app.get("/closed/:id", function(req)
  return store.get("closed:" .. req.params.id) or 404
end)
`

func dialWS(t *testing.T, url string) (*cws.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	c, _, err := cws.Dial(ctx, strings.Replace(url, "http://", "ws://", 1), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, ctx
}

func readText(t *testing.T, ctx context.Context, c *cws.Conn) string {
	t.Helper()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// TestWebSocketRoutes: open, message and close handlers in borrowed
// states; per-connection data; pub/sub between connections and from a
// route; app.conn from a later request; open refusing with a response.
func TestWebSocketRoutes(t *testing.T) {
	srv := startSource(t, realtimeScript, engine.Config{})
	a, ctx := dialWS(t, srv.url+"/ws/lobby")
	b, _ := dialWS(t, srv.url+"/ws/lobby")
	welcomeA, welcomeB := readText(t, ctx, a), readText(t, ctx, b)
	if !strings.HasPrefix(welcomeA, "welcome ") || welcomeA == welcomeB {
		t.Fatalf("welcomes %q %q", welcomeA, welcomeB)
	}
	idA := strings.TrimPrefix(welcomeA, "welcome ")

	a.Write(ctx, cws.MessageText, []byte("who"))
	if got := readText(t, ctx, a); got != "lobby websocket" {
		t.Fatalf("who: %q", got)
	}
	a.Write(ctx, cws.MessageText, []byte("hello all"))
	for _, c := range []*cws.Conn{a, b} {
		if got := readText(t, ctx, c); got != "hello all" {
			t.Fatalf("broadcast: %q", got)
		}
	}
	a.Write(ctx, cws.MessageBinary, []byte{0, 1, 2})
	if typ, got, _ := a.Read(ctx); typ != cws.MessageBinary || string(got) != "\x00\x01\x02" {
		t.Fatalf("binary echo %v %q", typ, got)
	}
	// A failing handler is logged; the connection stays.
	a.Write(ctx, cws.MessageText, []byte("boom"))
	a.Write(ctx, cws.MessageText, []byte("who"))
	if got := readText(t, ctx, a); got != "lobby websocket" {
		t.Fatalf("after a failed handler: %q", got)
	}
	if !strings.Contains(srv.logs.String(), "boom in message") {
		t.Fatal("the handler's error is not in the log")
	}

	cl := client(t)
	if res, body := do(t, cl, "POST", srv.url+"/say/lobby", "from a route"); res.StatusCode != 200 || !strings.Contains(body, `"subscribers":2`) {
		t.Fatalf("say: %d %s", res.StatusCode, body)
	}
	for _, c := range []*cws.Conn{a, b} {
		if got := readText(t, ctx, c); got != "from a route" {
			t.Fatalf("route broadcast: %q", got)
		}
	}
	if res, _ := do(t, cl, "GET", srv.url+"/send/"+idA, ""); res.StatusCode != 204 {
		t.Fatalf("send by id: %d", res.StatusCode)
	}
	if got := readText(t, ctx, a); got != "direct to "+idA {
		t.Fatalf("direct: %q", got)
	}

	a.Write(ctx, cws.MessageText, []byte("bye"))
	if _, _, err := a.Read(ctx); cws.CloseStatus(err) != 4000 {
		t.Fatalf("server close: %v", err)
	}
	waitFor(t, func() bool {
		res, body := do(t, cl, "GET", srv.url+"/closed/"+idA, "")
		return res.StatusCode == 200 && body == "4000 bye"
	}, "the close handler")
	if res, _ := do(t, cl, "GET", srv.url+"/send/"+idA, ""); res.StatusCode != 404 {
		t.Fatalf("a closed conn is still found: %d", res.StatusCode)
	}
	if res, body := do(t, cl, "POST", srv.url+"/say/lobby", "x"); !strings.Contains(body, `"subscribers":1`) {
		t.Fatalf("after close: %d %s", res.StatusCode, body)
	}
}

func TestWebSocketRefusals(t *testing.T) {
	srv := startSource(t, realtimeScript, engine.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, res, err := cws.Dial(ctx, "ws://"+srv.addr+"/ws/lobby?deny=1", nil)
	if err == nil || res == nil || res.StatusCode != 403 {
		t.Fatalf("refused open: %v %v", res, err)
	}
	// A plain GET on a WebSocket route: 426, naming the protocol.
	res2, body := do(t, client(t), "GET", srv.url+"/ws/lobby", "")
	if res2.StatusCode != 426 || res2.Header.Get("Upgrade") != "websocket" {
		t.Fatalf("plain GET: %d %q", res2.StatusCode, body)
	}
	res3, _ := do(t, client(t), "POST", srv.url+"/ws/lobby", "")
	if res3.StatusCode != 405 {
		t.Fatalf("POST: %d", res3.StatusCode)
	}
	// Cross-site WebSocket hijacking: another site's page is refused
	// unless the route names its origin; the same origin and non-browser
	// clients (no Origin) are let through.
	for _, tc := range []struct {
		path, origin string
		status       int
	}{
		{"/ws/lobby", "https://evil.example", 403},
		{"/ws/lobby", "http://" + srv.addr, 101},
		{"/ws/lobby", "", 101},
		{"/partner", "https://app.example", 101},
		{"/partner", "https://evil.example", 403},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		c, res, err := cws.Dial(ctx, "ws://"+srv.addr+tc.path, &cws.DialOptions{HTTPHeader: h})
		if res == nil || res.StatusCode != tc.status {
			t.Errorf("%s from %q: %v %v, want %d", tc.path, tc.origin, res, err, tc.status)
		}
		if c != nil {
			c.CloseNow()
		}
	}
}

// TestWebSocketSubprotocol: the route's protocols list picks the first
// the client offers; conn.protocol tells the handlers.
func TestWebSocketSubprotocol(t *testing.T) {
	srv := startSource(t, realtimeScript, engine.Config{})
	for _, tc := range []struct {
		offer []string
		want  string
	}{{[]string{"chat.v1", "chat.v2"}, "chat.v1"}, {[]string{"chat.v3"}, ""}, {nil, ""}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, _, err := cws.Dial(ctx, "ws://"+srv.addr+"/proto", &cws.DialOptions{Subprotocols: tc.offer})
		if err != nil {
			t.Fatal(err)
		}
		if got := readText(t, ctx, c); c.Subprotocol() != tc.want || got != "speaking "+tc.want {
			t.Errorf("offer %v: %q and %q, want %q", tc.offer, c.Subprotocol(), got, tc.want)
		}
		c.CloseNow()
		cancel()
	}
}

// waitFor polls cond (a condition set by another goroutine of the server)
// until it holds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebSocketsCountAgainstMaxConns: open WebSockets hold their
// connection slots (they are never evicted as idle), so past -max-conns a
// new connection is refused; closing one frees its slot.
func TestWebSocketsCountAgainstMaxConns(t *testing.T) {
	srv := startSource(t, realtimeScript, engine.Config{}, func(s *httpcore.Server) { s.MaxConns = 2 })
	a, ctx := dialWS(t, srv.url+"/ws/x")
	readText(t, ctx, a)
	b, _ := dialWS(t, srv.url+"/ws/x")
	readText(t, ctx, b)
	// The refusal comes at once, before the request is read: a raw client.
	nc, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "GET /ws/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if status, _ := bufio.NewReader(nc).ReadString('\n'); !strings.HasPrefix(status, "HTTP/1.1 503") {
		t.Fatalf("third connection: %q, want 503", status)
	}
	a.Close(cws.StatusNormalClosure, "")
	waitFor(t, func() bool { return srv.srv.OpenConns() == 1 }, "the closed WebSocket's slot")
	c, _ := dialWS(t, srv.url+"/ws/x")
	if got := readText(t, ctx, c); !strings.HasPrefix(got, "welcome") {
		t.Fatalf("after a slot freed: %q", got)
	}
}
