package tests

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

const sseScript = `
local app = require("luaserve")
local pubsub = require("luaserve.pubsub")
local store = require("luaserve.store")

app.sse("/events", {
  open = function(stream, req)
    if req.query.deny then return 403 end
    assert(stream:subscribe("news"))
    if stream.last_event_id ~= "" then
      stream:send({ event = "resume", data = "after " .. stream.last_event_id })
    end
    stream:send({ id = "1", event = "hello", data = "line1\nline2", retry = 1000 })
    stream:send("plain " .. stream.kind)
  end,
  close = function(stream, code, reason)
    store.set("closed", stream.id)
  end,
})

app.post("/news", function(req) pubsub.publish("news", req.body) return 204 end)
app.post("/news/:id", function(req) pubsub.publish("news", req.body, { id = req.params.id, event = "news" }) return 204 end)
app.post("/end/:id", function(req)
  local s = app.conn(req.params.id)
  if not s then return 404 end
  s:close()
  return 204
end)
app.get("/closed", function() return store.get("closed") or 404 end)
`

// sseReader reads events from a stream.
type sseReader struct {
	t  *testing.T
	br *bufio.Reader
}

// next returns the next event block (its lines, through the empty line).
func (r *sseReader) next() string {
	r.t.Helper()
	var b strings.Builder
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			r.t.Fatalf("after %q: %v", b.String(), err)
		}
		if line == "\n" {
			return b.String()
		}
		b.WriteString(line)
	}
}

func openSSE(t *testing.T, url string, headers ...string) (*http.Response, *sseReader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	return res, &sseReader{t: t, br: bufio.NewReader(res.Body)}, cancel
}

// TestServerSentEvents: events with id, event, data lines and retry;
// published messages; heartbeats; Last-Event-ID; the close handler when
// the client goes away; the script ending a stream.
func TestServerSentEvents(t *testing.T) {
	rt := engine.NewRealtime(nil, engine.RealtimeOptions{Heartbeat: 50 * time.Millisecond})
	srv := startSource(t, sseScript, engine.Config{Realtime: rt})
	res, ev, cancel := openSSE(t, srv.url+"/events", "Last-Event-ID", "41")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	for _, want := range []string{
		"event: resume\ndata: after 41\n",
		"id: 1\nevent: hello\nretry: 1000\ndata: line1\ndata: line2\n",
		"data: plain sse\n",
	} {
		if got := ev.next(); got != want {
			t.Fatalf("event %q, want %q", got, want)
		}
	}
	do(t, client(t), "POST", srv.url+"/news", "breaking\nnews")
	// Heartbeats (comment lines) may come first.
	for {
		got := ev.next()
		if got == ": ping\n" {
			continue
		}
		if got != "data: breaking\ndata: news\n" {
			t.Fatalf("published: %q", got)
		}
		break
	}
	if got := ev.next(); got != ": ping\n" {
		t.Fatalf("heartbeat: %q", got)
	}
	do(t, client(t), "POST", srv.url+"/news/7", "with id")
	for got := ev.next(); got != "id: 7\nevent: news\ndata: with id\n"; got = ev.next() {
		if got != ": ping\n" {
			t.Fatalf("published with id: %q", got)
		}
	}
	cancel() // the client goes away
	waitFor(t, func() bool {
		r, _ := do(t, client(t), "GET", srv.url+"/closed", "")
		return r.StatusCode == 200
	}, "the close handler")
	waitFor(t, func() bool { return rt.Open() == 0 }, "the stream to end")
}

func TestServerSentEventsEndedByScript(t *testing.T) {
	srv := startSource(t, sseScript, engine.Config{})
	_, ev, _ := openSSE(t, srv.url+"/events")
	ev.next()
	ev.next() // the hello and plain events
	if r, _ := do(t, client(t), "POST", srv.url+"/end/1", ""); r.StatusCode != 204 {
		t.Fatalf("end: %d", r.StatusCode)
	}
	if _, err := ev.br.ReadString('\n'); err == nil {
		t.Fatal("the stream went on after the script closed it")
	}
	if r, _ := do(t, client(t), "GET", srv.url+"/events?deny=1", ""); r.StatusCode != 403 {
		t.Fatalf("refused: %d", r.StatusCode)
	}
	if r, _ := do(t, client(t), "HEAD", srv.url+"/events", ""); r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HEAD: %d %v", r.StatusCode, r.Header)
	}
}
