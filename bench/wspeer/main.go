// Command wspeer is the peer of the WebSocket echo benchmark: a Go server
// on net/http and github.com/coder/websocket that echoes every message, as
// the luaserve route in ../ws.lua does (docs/BENCHMARKS.md).
//
//	go build -o /tmp/wspeer ./bench/wspeer
//	GOMAXPROCS=1 taskset -c 1 /tmp/wspeer -addr 127.0.0.1:9002
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/coder/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9002", "listen address")
	flag.Parse()
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
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
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
