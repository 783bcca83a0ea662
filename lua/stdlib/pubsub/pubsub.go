// Package pubsub is luaserve.pubsub, publishing to the WebSockets and
// event streams subscribed to a topic (conn:subscribe), on this instance,
// or on every instance sharing the Redis store.
//
//	pubsub.publish(topic:string, message:string [, {id=, event=}]) -> true | nil, err
//	pubsub.subscribers(topic:string) -> integer   (on this instance)
//
// A message that is UTF-8 goes to WebSockets as text, any other as binary;
// an event stream gets it as an event's data, with the id and event name
// when given (so that a reconnecting EventSource sends Last-Event-ID).
package pubsub

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/pubsub"
)

// Module is require("luaserve.pubsub"): the host's hub.
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.pubsub", Open: open} }

// maxMessage bounds a published message, as a WebSocket message.
const maxMessage = 1 << 20

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	return L.SetFuncs(L.CreateTable(0, 2), map[string]lua.LGFunction{
		"publish": func(L *lua.LState) int {
			topic, msg := L.CheckString(1), L.CheckString(2)
			if len(msg) > maxMessage {
				L.ArgError(2, "message over 1 MiB")
			}
			m := pubsub.Message{Data: []byte(msg)}
			if opts := L.OptTable(3, nil); opts != nil {
				m.ID, m.Event = eventField(L, opts, "id"), eventField(L, opts, "event")
			}
			if err := h.PubSub().Publish(h.Context(), topic, pubsub.Encode(m)); err != nil {
				L.Push(lua.LNil)
				L.Push(lua.LString("pubsub: " + err.Error()))
				return 2
			}
			L.Push(lua.LTrue)
			return 1
		},
		"subscribers": func(L *lua.LState) int {
			L.Push(lua.LNumber(h.PubSub().Subscribers(L.CheckString(1))))
			return 1
		},
	})
}

// eventField reads an event stream field of publish's options: a string or
// number without line breaks, at most 256 bytes.
func eventField(L *lua.LState, opts *lua.LTable, name string) string {
	v := opts.RawGetString(name)
	if v == lua.LNil {
		return ""
	}
	s := lua.LVAsString(v)
	if s == "" || len(s) > 256 || strings.ContainsAny(s, "\r\n\x00") {
		L.ArgError(3, name+" must be a string of at most 256 bytes without line breaks")
	}
	return s
}
