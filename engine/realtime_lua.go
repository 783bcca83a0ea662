package engine

import (
	"fmt"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/websocket"
)

// A conn handle is a userdata over a *socket with the state's connMT.
// Handles are made per event or lookup (app.conn); the socket they point
// to is shared by every state.
//
//	conn.id, conn.kind ("websocket" | "sse"), conn.last_event_id (sse),
//	conn.protocol (websocket: the subprotocol chosen, "" for none)
//	conn:send(data:string [, "binary"]) -> true | nil, err   (websocket)
//	conn:send(data:string | {id=, event=, data=, retry=}) -> true | nil, err (sse)
//	conn:close([code:integer [, reason:string]])
//	conn:subscribe(topic) -> true | nil, err ; conn:unsubscribe(topic)
//	conn:get(key) -> value ; conn:set(key, value)  (string, number, boolean; nil deletes)
func (st *state) initConnMT(L *lua.LState) {
	methods := map[string]lua.LValue{}
	for name, fn := range map[string]lua.LGFunction{
		"send": connSend, "close": connClose, "get": connGet, "set": connSet,
		"subscribe":   func(L *lua.LState) int { return connSubscribe(L, st) },
		"unsubscribe": connUnsubscribe,
	} {
		methods[name] = L.NewFunction(fn)
	}
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		s := checkConn(L)
		switch key := L.CheckString(2); key {
		case "id":
			L.Push(lua.LString(s.id))
		case "kind":
			kind := lua.LString("websocket")
			if s.sse {
				kind = "sse"
			}
			L.Push(kind)
		case "last_event_id":
			L.Push(lua.LString(s.lastEventID))
		case "protocol":
			L.Push(lua.LString(s.protocol))
		default:
			if m, ok := methods[key]; ok {
				L.Push(m)
			} else {
				L.Push(lua.LNil)
			}
		}
		return 1
	}))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("conn " + checkConn(L).id))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("luaserve.conn"))
	st.connMT = mt
}

// connValue is a handle on s for st.
func (st *state) connValue(s *socket) lua.LValue {
	ud := st.L.NewUserData()
	ud.Value = s
	ud.Metatable = st.connMT
	return ud
}

func checkConn(L *lua.LState) *socket {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if s, ok := ud.Value.(*socket); ok {
			return s
		}
	}
	L.ArgError(1, "conn expected (call it as conn:method(...))")
	return nil
}

// pushResult is the module convention: true, or nil and the message.
func pushResult(L *lua.LState, err error) int {
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

func connSend(L *lua.LState) int {
	s := checkConn(L)
	if s.sse {
		return pushResult(L, s.sendEvent(L))
	}
	data := L.CheckString(2)
	kind := websocket.Text
	switch L.OptString(3, "text") {
	case "binary":
		kind = websocket.Binary
	case "text":
		if !utf8.ValidString(data) {
			L.ArgError(2, "text must be UTF-8 (send it as \"binary\")")
		}
	default:
		L.ArgError(3, "\"text\" or \"binary\" expected")
	}
	return pushResult(L, s.send(kind, []byte(data)))
}

// sendEvent sends an event stream's event: a string (its data) or a table
// of id, event, data and retry (milliseconds).
func (s *socket) sendEvent(L *lua.LState) error {
	switch v := L.Get(2).(type) {
	case lua.LString:
		return s.push(formatEvent(nil, "", []byte(v), 0))
	case *lua.LTable:
		var id *string
		if idv, ok := v.RawGetString("id").(lua.LString); ok {
			str := string(idv)
			id = &str
		}
		event := lua.LVAsString(v.RawGetString("event"))
		for _, f := range []string{event, lua.LVAsString(v.RawGetString("id"))} {
			if containsLineBreak(f) {
				L.ArgError(2, "event and id may not contain line breaks")
			}
		}
		retry := int(lua.LVAsNumber(v.RawGetString("retry")))
		return s.push(formatEvent(id, event, []byte(lua.LVAsString(v.RawGetString("data"))), retry))
	}
	L.ArgError(2, "string or event table expected")
	return nil
}

func containsLineBreak(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' || s[i] == 0 {
			return true
		}
	}
	return false
}

// push queues a formatted event of a stream.
func (s *socket) push(ev []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return errSocketClosed
	}
	return s.stream.push(ev)
}

func connClose(L *lua.LState) int {
	s := checkConn(L)
	code := L.OptInt(2, websocket.CloseNormal)
	if !websocket.ValidSendCode(code) {
		L.ArgError(2, fmt.Sprintf("invalid close code %d (1000-1003, 1007-1011 or 3000-4999)", code))
	}
	reason := L.OptString(3, "")
	if len(reason) > 123 || !utf8.ValidString(reason) {
		L.ArgError(3, "reason must be UTF-8 of at most 123 bytes")
	}
	s.close(code, reason)
	return 0
}

func connSubscribe(L *lua.LState, st *state) int {
	s := checkConn(L)
	return pushResult(L, s.subscribe(&st.host.ctx, L.CheckString(2)))
}

func connUnsubscribe(L *lua.LState) int {
	checkConn(L).unsubscribe(L.CheckString(2))
	return 0
}

func connGet(L *lua.LState) int {
	switch v := checkConn(L).get(L.CheckString(2)).(type) {
	case string:
		L.Push(lua.LString(v))
	case float64:
		L.Push(lua.LNumber(v))
	case bool:
		L.Push(lua.LBool(v))
	default:
		L.Push(lua.LNil)
	}
	return 1
}

func connSet(L *lua.LState) int {
	s := checkConn(L)
	key := L.CheckString(2)
	var v any
	switch lv := L.Get(3).(type) {
	case lua.LString:
		v = string(lv)
	case lua.LNumber:
		v = float64(lv)
	case lua.LBool:
		v = bool(lv)
	case *lua.LNilType:
	default:
		L.ArgError(3, "string, number, boolean or nil expected, got "+lv.Type().String())
	}
	return pushResult(L, s.set(key, v))
}

// connLookup is app.conn(id): a handle on the open connection id, or nil.
func (e *Engine) connLookup(st *state) lua.LGFunction {
	return func(L *lua.LState) int {
		if s := e.rt.get(L.CheckString(1)); s != nil {
			L.Push(st.connValue(s))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}
}
