package main

import (
	"flag"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/websocket"
)

// realtimeOptions bound WebSockets and event streams.
type realtimeOptions struct {
	maxMessage byteSize
	sendQueue  byteSize
	ping       time.Duration
	heartbeat  time.Duration
	deflate    bool
}

func addRealtimeFlags(fs *flag.FlagSet, o *realtimeOptions) {
	o.maxMessage, o.sendQueue = websocket.DefaultMaxMessage, websocket.DefaultSendQueue
	fs.Var(&o.maxMessage, "ws-max-message", "largest WebSocket message a client may send (closed with 1009 past it)")
	fs.Var(&o.sendQueue, "ws-send-queue", "bytes queued for one WebSocket or event stream whose client reads "+
		"slower than it is sent to; past it the client is disconnected (1008)")
	fs.DurationVar(&o.ping, "ws-ping", websocket.DefaultPingInterval, "a WebSocket silent this long is pinged, "+
		"and closed when silent as long again")
	fs.BoolVar(&o.deflate, "ws-deflate", false, "accept permessage-deflate from WebSocket clients that offer it "+
		"(no context takeover: messages of 128 bytes or more compressed one by one) (default off)")
	fs.DurationVar(&o.heartbeat, "sse-heartbeat", engine.DefaultHeartbeat, "how often an idle event stream gets a comment line")
}

func (o *realtimeOptions) engine() engine.RealtimeOptions {
	return engine.RealtimeOptions{Heartbeat: o.heartbeat, WebSocket: websocket.Options{
		MaxMessage: int64(o.maxMessage), SendQueue: int(o.sendQueue), PingInterval: o.ping, Compression: o.deflate}}
}
