// Command wspeer is the peer of the realtime benchmarks: a Go server on
// net/http that does what the luaserve routes in ../ws.lua do
// (docs/BENCHMARKS.md): echoes every WebSocket message on /ws (with
// github.com/coder/websocket), and sends every message POSTed to
// /broadcast to each event stream open on /events.
//
//	go build -o /tmp/wspeer ./bench/wspeer
//	GOMAXPROCS=1 taskset -c 1 /tmp/wspeer -addr 127.0.0.1:9002
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// hub holds the open event streams, each a channel of messages.
type hub struct {
	mu   sync.Mutex
	subs map[chan []byte]bool
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9002", "listen address")
	flag.Parse()
	h := &hub{subs: map[chan []byte]bool{}}
	http.HandleFunc("/ws", echo)
	http.HandleFunc("GET /events", h.events)
	http.HandleFunc("POST /broadcast", h.broadcast)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := context.Background()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
	}
}

// events is a server-sent event stream of the broadcasts; the headers go
// out once it is subscribed, so that a client that has them misses none.
func (h *hub) events(w http.ResponseWriter, r *http.Request) {
	ch := make(chan []byte, 1024)
	h.mu.Lock()
	h.subs[ch] = true
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	rc.Flush()
	for {
		select {
		case msg := <-ch:
			w.Write([]byte("data: "))
			w.Write(msg)
			w.Write([]byte("\n\n"))
			if rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

func (h *hub) broadcast(w http.ResponseWriter, r *http.Request) {
	msg, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	for ch := range h.subs {
		ch <- msg
	}
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
