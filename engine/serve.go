package engine

import (
	"errors"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// outcome is how serving a request in a state ended.
type outcome struct {
	dirty bool     // replace the state: its limit fired, or Go panicked in it
	abort bool     // close the connection: the response broke off
	send  fileSend // a file to send once the state is back in the pool
	// upgrade is an accepted WebSocket or event stream, to start once
	// the state is back in the pool (realtime_route.go).
	upgrade *socket
}

// serve handles one request in st: route, middleware and handler under
// the time limit, then the response. st.x is the exchange's storage; it
// travels as an argument from here on. No defer: a Go panic that goes
// through leaves the state to ServeHTTP, which closes it.
func (e *Engine) serve(st *state, w *httpcore.ResponseWriter, r *httpcore.Request) (out outcome) {
	x := &st.x
	x.r, x.w, x.hold = r, w, e.hooked
	st.budget.reset()
	st.host.ctx.begin()

	method := methodString(r.Method)
	var m match
	e.match(x, method, &m)
	x.route = m.route
	if m.route != nil {
		r.Route = m.route.pattern
	}
	var req *lua.LTable // nil when nothing can see it
	if !e.requestUnseen(st, &m) {
		req = st.req.newTable()
	}

	st.limit.arm(e.timeout)
	res, err := e.run(st, x, req, &m, method)
	if err == nil {
		err = e.respond(st, x, res)
	}
	if err == nil && x.hold { // hooks, CORS or sessions: one test for all
		err = e.finishHeld(st, x)
	}
	if err == nil && x.stream != nil {
		err = e.streamBody(st, x) // stream.go
	}
	if err != nil && x.upgrade != nil {
		x.upgrade.leave()
	}
	if err != nil {
		x.send.close()
		se := asScriptError(err, x, st.limit.Err())
		out.dirty = se.panicked
		out.abort = e.fail(st, x, se)
	} else {
		out.send, out.upgrade = x.send, x.upgrade
	}
	// Unlink the request's context first, so that nothing fires the limit
	// once it is disarmed. A limit that fired after the route returned
	// spoils only the state, not the response.
	st.host.ctx.end()
	out.dirty = !st.limit.disarm() || out.dirty
	if x.lvForm != nil {
		e.dropUploads(x) // form.go
	}
	x.reset()
	st.L.SetTop(0)
	return out
}

// match finds the route for the request: fully static patterns with one
// map lookup on the path's bytes (no string made), the rest by walking the
// router's tree over the raw path (router.go).
func (e *Engine) match(x *exchange, method string, m *match) {
	if raw := x.r.RawPath; len(raw) == len(x.r.Path) { // nothing percent-encoded
		if n := e.router.exact[string(raw)]; n != nil {
			if rt := n.pick(method); rt != nil {
				m.route, m.pathMatched = rt, true
				return
			}
		}
	}
	e.router.lookup(method, x.rawString(), x.params[:0], m)
	x.nparams = copy(x.params[:], m.params)
}

// requestUnseen reports that no Lua code can see the request's table, so
// that it need not be made (the one allocation of a hello request): the
// route is a plain function that takes no arguments (function() ... end,
// not vararg), and no middleware, hook, CORS policy or session runs.
func (e *Engine) requestUnseen(st *state, m *match) bool {
	if m.route == nil || m.route.realtime != rtNone || len(st.mws) > 0 || e.hooked {
		return false
	}
	fn := st.handlers[m.route.index]
	return !fn.IsG && fn.Proto != nil && fn.Proto.NumParameters == 0 && fn.Proto.IsVarArg == 0
}

// run calls middleware, then the route (or the not-found hook), and
// returns what answered.
func (e *Engine) run(st *state, x *exchange, req *lua.LTable, m *match, method string) (lua.LValue, error) {
	if e.cors != nil && isPreflight(x.r) {
		e.cors.preflight(x.w.Header(), x.r)
		return lua.LNumber(204), nil
	}
	for _, mw := range st.mws {
		if mw.prefix != "" && !strings.HasPrefix(x.pathString(), mw.prefix) {
			continue
		}
		v, err := e.call(st, x, mw.fn, req, "middleware")
		if err != nil || v != lua.LNil {
			return v, err
		}
	}
	switch {
	case m.route != nil && m.route.realtime != rtNone:
		return e.openRealtime(st, x, req) // realtime_route.go
	case m.route != nil && req == nil: // requestUnseen
		return e.call(st, x, st.handlers[m.route.index], lua.LNil, "route")
	case m.route != nil:
		return e.call(st, x, st.handlers[m.route.index], req, "route")
	case m.pathMatched && method == "OPTIONS":
		x.w.Header().Set("Allow", e.router.allowed(x.rawString()))
		return lua.LNumber(204), nil
	case m.pathMatched:
		return e.serverStatus(st, x, 405, "method not allowed", e.router.allowed(x.rawString())), nil // hooks.go
	case st.notFound != nil:
		return e.call(st, x, st.notFound, req, "not_found hook")
	}
	return e.serverStatus(st, x, 404, "not found", ""), nil
}

// call runs fn(arg) protected and returns its first result; a failure is
// a *ScriptError. what names fn in the traceback ("route", "middleware",
// "not_found hook"): called from Go, its frame is the stack's bottom, which
// gopher-lua calls "main chunk".
func (e *Engine) call(st *state, x *exchange, fn *lua.LFunction, arg lua.LValue, what string) (lua.LValue, error) {
	L := st.L
	L.Push(fn)
	L.Push(arg)
	if err := L.PCall(1, 1, nil); err != nil {
		se := newScriptError(routeName(x), err, st.limit.Err())
		if what == "route" {
			what += " " + se.Route
		}
		se.Traceback = nameBottomFrame(se.Traceback, what)
		return nil, se
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

// routeName names x's route for logs and error pages.
func routeName(x *exchange) string {
	if r := x.route; r != nil {
		return r.method + " " + r.pattern
	}
	return "(no route)"
}

// asScriptError makes err, from a route or from its response, a
// *ScriptError.
func asScriptError(err error, x *exchange, cause error) *ScriptError {
	var se *ScriptError
	if errors.As(err, &se) {
		return se
	}
	return newScriptError(routeName(x), err, cause)
}

// fail answers a request whose route failed: 500, or 504 past the time
// limit, through the on_error or on_status hook when the script has one
// (under a fresh hookLimit, or in the reserve state when this one can no
// longer run Lua), else plain text. A client that went away gets nothing.
// It reports whether the response must be abandoned.
func (e *Engine) fail(st *state, x *exchange, se *ScriptError) (abort bool) {
	w, r := x.w, x.r
	if errors.Is(se.Err, httpcore.ErrClientGone) || errors.Is(se.Err, httpcore.ErrServerClosed) {
		e.log.Info("luaserve: route stopped", "route", se.Route, "method", string(r.Method), "request_id", string(r.ID),
			"target", string(r.Target), "why", se.Err.Error())
		return true
	}
	timeout := errors.Is(se.Err, ErrTimeLimit)
	if timeout {
		e.counters.TimeLimits.Add(1)
	}
	switch {
	case se.request != nil && se.request.status >= 500:
		e.log.Warn("luaserve: request not served", "route", se.Route, "method", string(r.Method), "request_id", string(r.ID),
			"target", string(r.Target), "why", se.request.Error())
	case se.request != nil:
		e.log.Info("luaserve: request refused", "route", se.Route, "method", string(r.Method), "request_id", string(r.ID),
			"target", string(r.Target), "why", se.request.Error())
	default:
		e.log.Error("luaserve: route failed", "route", se.Route, "method", string(r.Method), "request_id", string(r.ID),
			"target", string(r.Target), "err", se.message(), "traceback", se.Traceback)
	}
	if w.Committed() {
		return true // part of a response is out: only closing says it failed
	}
	w.Reset()
	x.dropHeld()
	x.defStatus = 0
	code, reason, body := 500, "internal server error", ""
	if timeout {
		code, reason = 504, ErrTimeLimit.Error()
	}
	if re := se.request; re != nil {
		// The client's fault (a malformed form): its status, through
		// on_status, not on_error.
		code, reason, body, se = re.status, re.reason, re.Error()+"\n", nil
	}
	switch {
	case !e.hooked:
		e.plainStatus(w, r, code, body, se)
	case st.limit.Err() == nil && (se == nil || !se.panicked):
		st.limit.arm(e.hookTime())
		if !e.answerStatus(st, x, code, reason, se) {
			e.plainStatus(w, r, code, body, se)
		}
		e.finish(st, x)
	case !e.withReserve(func(rs *state) bool { return e.serveStatus(rs, w, r, code, reason, body, se, nil) }):
		e.plainStatus(w, r, code, body, se)
		if e.cors != nil && !e.cors.byFunc {
			e.cors.apply(w.Header(), r, r.Header.Has("Origin") && e.cors.allows(r.Header.Get("Origin"), nil))
		}
	}
	return false
}

// methodString returns the method as a string without allocating for the
// standard ones.
func methodString(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "PATCH":
		return "PATCH"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	}
	return string(b)
}
