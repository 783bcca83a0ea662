package engine

import (
	"errors"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/websocket"
)

// Kinds of realtime route (route.realtime).
const (
	rtNone = iota
	rtWebSocket
	rtStream
)

// rtHandlers are the event handlers of an app.ws or app.sse route, in one
// state.
type rtHandlers struct {
	open, message, close *lua.LFunction
	origins              *wsOrigins // nil: same origin only (realtime_origin.go)
	protocols            []string   // subprotocols, in the server's terms
}

// realtimeRegistrar implements app.ws(pattern, handlers) and
// app.sse(pattern, handlers): a GET route whose handlers run per event.
func (reg *registry) realtimeRegistrar(kind int) lua.LGFunction {
	return func(L *lua.LState) int {
		what := map[int]string{rtWebSocket: "ws", rtStream: "sse"}[kind]
		reg.mustBeLoading(L, what)
		pattern := L.CheckString(1)
		t := L.CheckTable(2)
		h := &rtHandlers{}
		for name, dst := range map[string]**lua.LFunction{"open": &h.open, "message": &h.message, "close": &h.close} {
			switch f := t.RawGetString(name).(type) {
			case *lua.LFunction:
				*dst = f
			case *lua.LNilType:
			default:
				L.ArgError(2, name+" must be a function")
			}
		}
		origins, err := readOrigins(t.RawGetString("origins"))
		if err != nil {
			L.ArgError(2, err.Error())
		}
		h.origins = origins
		if h.protocols, err = readProtocols(t.RawGetString("protocols")); err != nil {
			L.ArgError(2, err.Error())
		}
		if kind == rtStream && h.message != nil {
			L.ArgError(2, "an event stream has no message handler (the client cannot send on it)")
		}
		reg.routes = append(reg.routes, regRoute{method: "GET", pattern: pattern, where: stdlib.Caller(L, 1),
			realtime: kind, rt: h})
		return 0
	}
}

// openRealtime answers a request on a WebSocket or event stream route:
// it checks the handshake, makes the connection's handle, and runs open,
// whose non-nil return refuses with that response. Accepted, the
// connection is set up after the state is released (ServeHTTP).
func (e *Engine) openRealtime(st *state, x *exchange, req *lua.LTable) (lua.LValue, error) {
	kind := x.route.realtime
	h := st.rtFuncs[x.route.index]
	if kind == rtWebSocket {
		if he := websocket.Check(x.r); he != nil {
			websocket.Refuse(x.w, he)
			return answered, nil
		}
		if !h.origins.allowed(x.r) {
			writeStatus(x.w, 403, "403 Forbidden: a WebSocket from another origin (see origins in app.ws)\n")
			return answered, nil
		}
	}
	if e.rt.shuttingDown() {
		return lua.LNumber(503), nil
	}
	if kind == rtStream && string(x.r.Method) == "HEAD" { // the head of a stream, no stream
		x.w.Header().Set("Content-Type", "text/event-stream")
		return answered, nil
	}
	s := e.rt.newSocket(x.route.pattern, kind == rtStream)
	if kind == rtWebSocket && h.protocols != nil {
		s.protocol = websocket.SelectProtocol(x.r, h.protocols)
	}
	if kind == rtStream {
		s.stream = newEventStream(e.rt.sendQueue())
		if id := x.r.Header.Get("Last-Event-ID"); len(id) <= 1024 {
			s.lastEventID = string(id)
		}
	}
	if h.open != nil {
		L := st.L
		L.Push(h.open)
		L.Push(st.connValue(s))
		L.Push(req)
		if err := L.PCall(2, 1, nil); err != nil {
			s.leave()
			se := newScriptError(routeName(x), err, st.limit.Err())
			se.Traceback = nameBottomFrame(se.Traceback, "open handler of "+se.Route)
			return nil, se
		}
		v := L.Get(-1)
		L.Pop(1)
		if v != lua.LNil {
			s.leave()
			return v, nil
		}
	}
	x.upgrade = s
	return answered, nil
}

// startRealtime completes an accepted WebSocket or event stream, after
// the state went back to the pool.
func (e *Engine) startRealtime(w *httpcore.ResponseWriter, r *httpcore.Request, s *socket) {
	if s.sse {
		e.serveStream(w, r, s)
		return
	}
	opts := e.rt.ws
	opts.Protocol = s.protocol
	c, err := websocket.Upgrade(w, r, opts)
	if err != nil { // the client went away: open ran, so close runs too
		e.rt.closed(s, make(chan struct{}, 1), websocket.CloseAbnormal, err.Error())
		return
	}
	if !e.rt.add(s) {
		c.Close(websocket.CloseGoingAway, "server shutting down")
	}
	s.attach(c)
	go e.rt.readLoop(s, c)
}

// readLoop reads a WebSocket's messages and runs message for each, then
// close, each in a state borrowed for the event.
func (rt *Realtime) readLoop(s *socket, c *websocket.Conn) {
	done := make(chan struct{}, 1)
	for {
		kind, msg, err := c.ReadMessage()
		if err != nil {
			ce := &websocket.CloseError{Code: websocket.CloseAbnormal}
			errors.As(err, &ce)
			rt.closed(s, done, ce.Code, ce.Reason)
			return
		}
		rt.dispatch(s, done, func(h *rtHandlers, st *state) (*lua.LFunction, []lua.LValue) {
			// The state's own argument slice: an event holds the state.
			st.rtArgs = append(st.rtArgs[:0], st.connValue(s), lua.LString(msg), kindValue(kind))
			return h.message, st.rtArgs
		})
	}
}

// closed ends a socket: it leaves its topics and the registry, and the
// script's close handler runs.
func (rt *Realtime) closed(s *socket, done chan struct{}, code int, reason string) {
	s.leave()
	rt.dispatch(s, done, func(h *rtHandlers, st *state) (*lua.LFunction, []lua.LValue) {
		return h.close, []lua.LValue{st.connValue(s), lua.LNumber(code), lua.LString(reason)}
	})
}

// The message kinds as Lua values, made once: converting a string to an
// interface value allocates.
var (
	kindText   lua.LValue = lua.LString(websocket.Text.String())
	kindBinary lua.LValue = lua.LString(websocket.Binary.String())
)

func kindValue(k websocket.Kind) lua.LValue {
	if k == websocket.Binary {
		return kindBinary
	}
	return kindText
}
