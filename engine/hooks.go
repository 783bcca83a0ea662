package engine

import (
	"errors"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// Hooks around responses:
//
//	app.on_status(fn)  fn(req, status, reason) -> response | nil
//	                   answers the statuses the server makes itself: 404
//	                   (without app.not_found), 405, 408 and 413 (the body),
//	                   400 (a malformed body), 503 (no free Lua state), and
//	                   500 and 504 when there is no app.on_error
//	app.on_error(fn)   fn(req, message, status) -> response | nil
//	                   a route that failed (500) or ran out of time (504)
//	app.after(fn)      fn(req, res) after every response the engine sends
//	                   (but static files): res.status, res:header(name),
//	                   res:set_header(name, value), res:add_header(name,
//	                   value), res:del_header(name)
//
// A hook's response table without a status gets the server's; nil, an
// error or running out of time gives the plain-text answer, logged. A hook
// is never retried and no hook answers another hook's failure, so a
// failing hook cannot loop. Hooks run under hookLimit, also after the
// request's own time ran out; a request whose Lua state can no longer run
// (stopped at the limit, or a Go panic) and a request that found no free
// state run their hooks in the reserve state: one extra state, built only
// for scripts with hooks. When it is busy, the plain text goes out.
//
// With hooks, a response body waits in the exchange (exchange.held) until
// the after hooks ran: headers cannot change once 64 KiB of body went out.
// Without hooks nothing changes on the hot path but a flag.

// hookLimit bounds a hook's run when the request's own limit is shorter
// or gone.
const hookLimit = time.Second

func (e *Engine) hookTime() time.Duration {
	if e.timeout > 0 && e.timeout < hookLimit {
		return e.timeout
	}
	return hookLimit
}

// hooked reports whether a registry has anything that runs around the
// response.
func (reg *registry) hooked() bool {
	return reg.onError != nil || reg.onStatus != nil || len(reg.after) > 0 || reg.cors != nil || reg.sessions != nil
}

// writeBody sends s as the whole body, with its length declared so that a
// large body goes out without chunked coding; with hooks it waits for
// finish.
func (x *exchange) writeBody(s string) {
	x.w.SetContentLength(int64(len(s)))
	if x.hold {
		x.heldS, x.heldB = s, nil
		return
	}
	x.w.WriteString(s)
}

// writeBytes is writeBody for bytes that stay valid until finish.
func (x *exchange) writeBytes(b []byte) {
	x.w.SetContentLength(int64(len(b)))
	if x.hold {
		x.heldS, x.heldB = "", b
		return
	}
	x.w.Write(b)
}

// dropHeld forgets a held body, with the response it belonged to.
func (x *exchange) dropHeld() { x.heldS, x.heldB = "", nil }

// finishHeld writes the session back, if the script has sessions, then
// finishes the response; a session that cannot be written is the route's
// error.
func (e *Engine) finishHeld(st *state, x *exchange) error {
	if e.sessions != nil {
		if err := e.saveSession(st, x); err != nil { // session.go
			return err
		}
	}
	e.finish(st, x)
	return nil
}

// finish runs what comes after the response was decided: the CORS
// headers, the after hooks, then the held body goes out.
func (e *Engine) finish(st *state, x *exchange) {
	if e.cors != nil {
		e.corsApply(st, x)
	}
	if len(st.after) > 0 && !x.w.Committed() {
		e.runAfter(st, x)
	}
	if x.heldB != nil {
		x.w.Write(x.heldB)
	} else if x.heldS != "" {
		x.w.WriteString(x.heldS)
	}
	x.dropHeld()
}

// runAfter calls the after hooks in order. One that fails stops the rest
// and is logged; the response goes out as it stands.
func (e *Engine) runAfter(st *state, x *exchange) {
	L := st.L
	res := st.res
	status := x.w.Status()
	if x.send.o != nil && x.send.fo.Status != 0 {
		status = x.send.fo.Status
	}
	res.RawSetString("status", st.statusValue(status))
	x.res = res
	defer func() { x.res = nil }()
	for _, fn := range st.after {
		L.Push(fn)
		L.Push(st.req.table())
		L.Push(res)
		if err := L.PCall(2, 0, nil); err != nil {
			e.log.Error("luaserve: after hook failed", "route", routeName(x), "request_id", string(x.r.ID), "err",
				newScriptError(routeName(x), err, st.limit.Err()).message())
			return
		}
	}
}

// initResponseMT builds the metatable of the res tables after hooks get.
func (st *state) initResponseMT(L *lua.LState) {
	x := &st.x
	current := func(L *lua.LState) *httpcore.Header {
		if x.res == nil || L.Get(1) != lua.LValue(x.res) {
			L.RaiseError("res used outside its after hook")
		}
		return x.w.Header()
	}
	name := func(L *lua.LState) string {
		n := L.CheckString(2)
		if !httpcore.ValidFieldName(n) {
			L.ArgError(2, "invalid header name")
		}
		switch {
		case httpcore.EqualFold([]byte(n), "content-length"), httpcore.EqualFold([]byte(n), "transfer-encoding"),
			httpcore.EqualFold([]byte(n), "connection"):
			L.ArgError(2, n+" is the server's to set")
		}
		return n
	}
	set := func(add bool) lua.LGFunction {
		return func(L *lua.LState) int {
			h := current(L)
			n, v := name(L), L.CheckString(3)
			if err := setHeader(h, n, v, add); err != nil {
				L.ArgError(3, err.Error())
			}
			return 0
		}
	}
	methods := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"header": func(L *lua.LState) int {
			h := current(L)
			if v := h.Get(L.CheckString(2)); v != nil {
				L.Push(lua.LString(v))
			} else {
				L.Push(lua.LNil)
			}
			return 1
		},
		"set_header": set(false),
		"add_header": set(true),
		"del_header": func(L *lua.LState) int {
			h := current(L)
			h.Del(name(L))
			return 0
		},
	})
	st.initResTable(L, methods)
}

// initResTable makes the state's one res table, reused: its only field is
// status, and __newindex keeps a hook from leaving others for the next
// request.
func (st *state) initResTable(L *lua.LState, methods *lua.LTable) {
	mt := L.NewTable()
	mt.RawSetString("__index", methods)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("res is read-only but for its methods")
		return 0
	}))
	mt.RawSetString("__metatable", lua.LString("response"))
	st.res = L.CreateTable(0, 1)
	st.res.Metatable = mt
	st.statuses = map[int]lua.LValue{}
}

// statusValue boxes a status once per state, so that res.status costs
// no allocation per request.
func (st *state) statusValue(code int) lua.LValue {
	v, ok := st.statuses[code]
	if !ok {
		v = lua.LNumber(code)
		if len(st.statuses) < 64 {
			st.statuses[code] = v
		}
	}
	return v
}

// statusHook lets the script answer a status the server makes: on_error
// for a failed route (se set) when there is one, else on_status. It
// returns the hook's response, nil when it declined or there is no hook;
// the response's status defaults to code.
func (e *Engine) statusHook(st *state, x *exchange, code int, reason string, se *ScriptError) (lua.LValue, error) {
	L := st.L
	switch {
	case se != nil && st.onError != nil:
		L.Push(st.onError)
		L.Push(st.req.table())
		L.Push(lua.LString(se.message()))
		L.Push(lua.LNumber(code))
	case st.onStatus != nil:
		L.Push(st.onStatus)
		L.Push(st.req.table())
		L.Push(lua.LNumber(code))
		L.Push(lua.LString(reason))
	default:
		return nil, nil
	}
	if err := L.PCall(3, 1, nil); err != nil {
		return nil, newScriptError("(hook)", err, st.limit.Err())
	}
	v := L.Get(-1)
	L.Pop(1)
	if v == lua.LNil {
		return nil, nil
	}
	x.defStatus = code
	x.w.WriteHeader(code)
	return v, nil
}

// answerStatus answers code in st through the status hooks, falling back
// to plain text (reason as the body when given). It reports whether a
// hook answered.
func (e *Engine) answerStatus(st *state, x *exchange, code int, reason string, se *ScriptError) bool {
	v, err := e.statusHook(st, x, code, reason, se)
	if err == nil && v != nil {
		if err = e.respond(st, x, v); err == nil {
			return true
		}
	}
	if err != nil {
		e.log.Error("luaserve: status hook failed", "status", code, "route", routeName(x), "request_id", string(x.r.ID),
			"err", asScriptError(err, x, nil).Error())
	}
	x.send.close()
	x.dropHeld()
	x.defStatus = 0
	x.w.Reset()
	return false
}

// serveStatus answers a request with code in st, a state the request did
// not run in: the body failed (413, 408, 400), no state was free (503),
// or the request's own state can no longer run Lua (504, a Go panic). It
// reports whether st must be replaced. reason is for the hook, body for
// the plain text ("" for the status line's words); headers adds the
// fields every answer gets (Retry-After).
func (e *Engine) serveStatus(st *state, w *httpcore.ResponseWriter, r *httpcore.Request, code int, reason, body string,
	se *ScriptError, headers func(*httpcore.Header)) (dirty bool) {
	x := &st.x
	x.r, x.w, x.hold = r, w, true
	st.budget.reset()
	st.host.ctx.begin()
	var m match
	e.match(x, methodString(r.Method), &m)
	x.route = m.route
	st.req.newTable()
	st.limit.arm(e.hookTime())
	w.Reset()
	if headers != nil {
		headers(w.Header())
	}
	if !e.answerStatus(st, x, code, reason, se) {
		if headers != nil {
			headers(w.Header())
		}
		e.plainStatus(w, r, code, body, se)
	}
	e.finish(st, x)
	st.host.ctx.end()
	dirty = !st.limit.disarm()
	x.reset()
	st.L.SetTop(0)
	return dirty
}

// plainStatus is the answer without hooks: the -dev page for a failed
// route, else plain text, body or the status line's words.
func (e *Engine) plainStatus(w *httpcore.ResponseWriter, r *httpcore.Request, code int, body string, se *ScriptError) {
	if se != nil && e.cfg.Dev {
		e.writeDevError(w, r, code, se) // devpage.go
		return
	}
	writeStatus(w, code, body)
}

// hookSet is what a script registered around responses, compared across
// states like the routes.
type hookSet struct {
	onStatus, cors, corsFn, sessions bool
	after                            int
}

func (reg *registry) hookSet() hookSet {
	return hookSet{reg.onStatus != nil, reg.cors != nil, reg.corsFn != nil, reg.sessions != nil, len(reg.after)}
}

// busy answers a request that found no free Lua state: 503 with
// Retry-After, through the status hooks when the reserve state is free.
func (e *Engine) busy(w *httpcore.ResponseWriter, r *httpcore.Request) {
	const body = "503 Service Unavailable: all Lua states are busy\n"
	retry := func(h *httpcore.Header) { h.Set("Retry-After", "1") }
	if e.withReserve(func(st *state) bool {
		return e.serveStatus(st, w, r, 503, "all Lua states are busy", body, nil, retry)
	}) {
		return
	}
	retry(w.Header())
	writeStatus(w, 503, body)
}

// serverStatus is the route's answer when the server makes it (404, 405,
// with allow the Allow header of a 405): the on_status hook's response,
// already written (answered), or the status itself, for respond. A hook
// that fails, or answers what cannot be sent, is logged and the plain
// status stands: it is not a route error for the hooks to answer again.
func (e *Engine) serverStatus(st *state, x *exchange, code int, reason, allow string) lua.LValue {
	if allow != "" {
		x.w.Header().Set("Allow", allow)
	}
	if st.onStatus == nil {
		return lua.LNumber(code)
	}
	if e.answerStatus(st, x, code, reason, nil) {
		return answered
	}
	if allow != "" {
		x.w.Header().Set("Allow", allow) // answerStatus reset the response
	}
	return lua.LNumber(code)
}

// answered is what run returns for a response already written.
var answered lua.LValue = &lua.LUserData{}

// withReserve runs fn in the reserve state, if there is one and it is
// free; it reports whether it ran.
func (e *Engine) withReserve(fn func(st *state) (dirty bool)) bool {
	if e.reserve == nil {
		return false
	}
	var st *state
	select {
	case st = <-e.reserve:
	default:
		return false
	}
	ok := false
	defer func() {
		if !ok { // a Go panic went through: never reuse the state
			st.close(e)
			go e.replaceReserve()
		}
	}()
	dirty := fn(st)
	ok = true
	if dirty {
		st.close(e)
		go e.replaceReserve()
		return true
	}
	e.putReserve(st)
	return true
}

// putReserve gives the reserve state back, or closes it once the engine
// closed.
func (e *Engine) putReserve(st *state) {
	select {
	case <-e.closing:
		st.close(e)
	default:
		e.reserve <- st
		select {
		case <-e.closing: // Close may have drained the channel before the send
			e.drainReserve()
		default:
		}
	}
}

// drainReserve closes a reserve state waiting in its channel.
func (e *Engine) drainReserve() {
	select {
	case st := <-e.reserve:
		st.close(e)
	default:
	}
}

// initReserve builds the reserve state for scripts with hooks.
func (e *Engine) initReserve() error {
	e.reserve = make(chan *state, 1)
	return e.buildReserve()
}

func (e *Engine) buildReserve() error {
	st, reg, err := e.newState(-1)
	if err != nil {
		return err
	}
	if err := e.adopt(st, reg, false); err != nil {
		st.close(e)
		return err
	}
	e.putReserve(st)
	return nil
}

// replaceReserve rebuilds the reserve in the background, as replace does
// a pool state.
func (e *Engine) replaceReserve() {
	for attempt := 0; ; attempt++ {
		err := e.buildReserve()
		if err == nil {
			return
		}
		e.log.Error("luaserve: rebuilding the reserve Lua state failed", "err", err)
		select {
		case <-e.closing:
			return
		case <-time.After(time.Duration(min(attempt+1, 10)) * time.Second):
		}
	}
}

// bodyFailed answers a request whose body the core refused through the
// status hooks, in a state from the pool; the core keeps that answer when
// its status is the refusal's (and closes the connection).
func (e *Engine) bodyFailed(w *httpcore.ResponseWriter, r *httpcore.Request, err error) {
	var pe *httpcore.ParseError
	if !errors.As(err, &pe) || pe.Status == 500 {
		return // the core answers (and logged a store failure)
	}
	st := e.acquire()
	if st == nil {
		return
	}
	released := false
	defer func() {
		if !released {
			e.release(st, true)
		}
	}()
	body := fmt.Sprintf("%d %s: %s\n", pe.Status, httpcore.StatusText(pe.Status), pe.Reason)
	dirty := e.serveStatus(st, w, r, pe.Status, pe.Reason, body, nil, nil)
	released = true
	e.release(st, dirty)
}
