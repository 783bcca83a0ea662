package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// chatWithDrop is the chat example plus a route for the test that ends
// every event stream from the server side, as a restart or a proxy would.
const chatDropRoute = `
app.post("/test/drop", function()
  for _, k in ipairs(store.keys("chat:viewer:")) do
    local s = app.conn(k:sub(#"chat:viewer:" + 1))
    if s then s:close() end
  end
  return 204
end)
`

// evalIn is browser.eval in another page's session.
func (b *browser) evalIn(t *testing.T, session, expr string, out any) {
	t.Helper()
	saved := b.session
	b.session = session
	defer func() { b.session = saved }()
	b.eval(t, expr, out)
}

// openPage opens url in a new page of the browser and returns its session.
func (b *browser) openPage(t *testing.T, url string) string {
	t.Helper()
	saved := b.session
	defer func() { b.session = saved }()
	b.attach(t, 800, 600)
	b.open(t, url)
	return b.session
}

// pollJS evaluates expr in session until it is true.
func (b *browser) pollJS(t *testing.T, session, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		var ok bool
		b.evalIn(t, session, "!!("+expr+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var state json.RawMessage
			b.evalIn(t, session, "JSON.stringify({ws: chat.ws, events: chat.events, sseOpens: chat.sseOpens})", &state)
			t.Fatalf("timed out waiting for %s; page state %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBrowserChat: two pages of the chat example in headless Chromium,
// each with a WebSocket and an EventSource. A message sent on one page's
// WebSocket reaches both pages over both; a message posted over HTTP
// reaches them too; when the server ends the event streams, each
// EventSource reconnects with Last-Event-ID and gets what it missed.
func TestBrowserChat(t *testing.T) {
	src, err := os.ReadFile("../examples/chat/routes.lua")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "public"), 0o755)
	page, _ := os.ReadFile("../examples/chat/public/index.html")
	os.WriteFile(filepath.Join(dir, "public", "index.html"), page, 0o644)
	script := filepath.Join(dir, "routes.lua")
	os.WriteFile(script, append(src, chatDropRoute...), 0o644)
	s := startConfig(t, engine.Config{Script: script})
	b := startBrowser(t, 800, 600)

	ann := b.openPage(t, s.url+"/?name=ann")
	bob := b.openPage(t, s.url+"/?name=bob")
	for _, p := range []string{ann, bob} {
		b.pollJS(t, p, "chat.wsOpen && chat.sseOpens === 1", "the WebSocket and the EventSource to open")
	}
	b.evalIn(t, ann, `chat.send("hello from ann"), true`, new(bool))
	for _, p := range []string{ann, bob} {
		b.pollJS(t, p, `chat.ws.some(m => m.text === "hello from ann" && m.from === "ann")`, "the message over the WebSocket")
		b.pollJS(t, p, `chat.events.some(e => e.text === "hello from ann" && e.id !== "")`, "the message over the EventSource")
	}
	do(t, client(t), "POST", s.url+"/messages", `{"from":"curl","text":"over http"}`)
	for _, p := range []string{ann, bob} {
		b.pollJS(t, p, `chat.ws.some(m => m.text === "over http") && chat.events.some(e => e.text === "over http")`, "the posted message")
	}
	var shown string
	b.evalIn(t, bob, `document.getElementById("log").textContent`, &shown)
	if !strings.Contains(shown, "ann: hello from ann") || !strings.Contains(shown, "bob joined") {
		t.Fatalf("bob's page shows %q", shown)
	}

	// The server ends the streams; a message is posted before the
	// EventSources come back (retry: 1000 ms); each gets it on resuming.
	do(t, client(t), "POST", s.url+"/test/drop", "")
	do(t, client(t), "POST", s.url+"/messages", `{"from":"curl","text":"while away"}`)
	for _, p := range []string{ann, bob} {
		b.pollJS(t, p, `chat.sseOpens === 2 && chat.events.some(e => e.text === "while away")`, "the EventSource to resume")
	}
	var lastID int
	b.evalIn(t, ann, `Number(chat.events.find(e => e.text === "over http").id)`, &lastID)
	if !strings.Contains(s.logs.String(), fmt.Sprintf("after=%d", lastID)) {
		t.Fatalf("the server saw no Last-Event-ID %d:\n%s", lastID, s.logs.String())
	}
}
