package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// startStream answers with a streamed body; fn is called once the
// response is decided (after the hooks), by streamBody.
func startStream(x *exchange, fn *lua.LFunction, status int) error {
	defaultType(x.w.Header(), ctText)
	x.w.WriteHeader(status)
	x.stream = fn
	return nil
}

// streamBody sends a body that a Lua function produces: `body = fn` in a
// response table. fn is called until it returns nil (or nothing), and
// each string it returns goes out at once as a chunk (HTTP/1.1; HTTP/1.0:
// until close), so the whole body is never in memory. coroutine.wrap
// makes an iterator such a function.
//
// The state is held for the whole stream: fn's upvalues live in it, so no
// other state can call it. Each call, with the sending of its piece, runs
// under a fresh time limit, so a long stream is bounded per piece, not in
// total; the piece's memory is charged to the request's budget as any
// string is. A client that goes away ends the stream at the next piece.
func (e *Engine) streamBody(st *state, x *exchange) error {
	L, w := st.L, x.w
	for {
		if err := st.limit.Err(); err != nil {
			return err
		}
		st.limit.arm(e.timeout)
		st.budget.reset()
		L.Push(x.stream)
		if err := L.PCall(0, 1, nil); err != nil {
			se := newScriptError(routeName(x), err, st.limit.Err())
			se.Traceback = nameBottomFrame(se.Traceback, "body function of "+se.Route)
			return se
		}
		v := L.Get(-1)
		L.Pop(1)
		switch v := v.(type) {
		case *lua.LNilType:
			return nil
		case lua.LString:
			w.WriteString(string(v))
		case lua.LNumber:
			w.WriteString(v.String())
		default:
			return fmt.Errorf("body function returned a %s; want a string, or nil at the end", v.Type())
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("streamed body: %w", httpcore.ErrClientGone)
		}
	}
}
