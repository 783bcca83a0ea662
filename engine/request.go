package engine

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	luaurl "github.com/luaserve/luaserve/lua/stdlib/url"
	"github.com/luaserve/luaserve/upload"
)

// exchange is one request being served in a state, and the Lua values
// built from it so far. Each state keeps one and reuses it; the functions
// that serve a request get it as an argument. Like the Request, it is
// valid only while ServeHTTP runs.
type exchange struct {
	exchangeCore
	// What hooks, forms and sessions use, apart so that a request that
	// uses none does not pay for clearing it. Always set (newState).
	*exchangeMore
}

// exchangeCore is what every request uses, cleared after each.
type exchangeCore struct {
	r     *httpcore.Request
	w     *httpcore.ResponseWriter
	tbl   *lua.LTable // the request table; nil between requests
	route *route

	raw, path     string // r.RawPath and r.Path as strings, once made
	rawOK, pathOK bool
	params        [8]span // into raw
	nparams       int

	// Built values, nil until first use.
	lvPath, lvQuery, lvHeaders, lvBody, lvParams, lvCookies lua.LValue
	lvJSON, lvForm                                          lua.LValue
	jsonErr                                                 string
	bodyBytes                                               []byte
	bodyRead                                                bool

	send fileSend // a file to send once the state is released

	hold bool // with hooks (hooks.go): the body waits for the after hooks

	upgrade *socket        // an accepted WebSocket or event stream (realtime_route.go)
	stream  *lua.LFunction // a body produced piece by piece (stream.go)
}

// exchangeMore is the part of an exchange that hooks, forms and sessions
// use.
type exchangeMore struct {
	heldS     string      // the held body (hooks.go)
	heldB     []byte      // or this
	defStatus int         // a status hook's status, the default of its response
	res       *lua.LTable // the after hooks' res table while they run

	lvFiles    lua.LValue   // req:form()'s files (form.go)
	upload     *upload.Form // its multipart form
	lvSession  lua.LValue   // req.session once read (session.go)
	sessOrig   string       // its encoding as the cookie had it
	sessCookie bool         // the request had a session cookie
}

// reset clears x for the next request; exchangeMore only when it was used
// (hooks hold bodies; every form sets lvForm).
func (x *exchange) reset() {
	if x.hold || x.lvForm != nil {
		*x.exchangeMore = exchangeMore{}
	}
	x.exchangeCore = exchangeCore{}
}

// rawString returns the path still percent-encoded, as a string made once.
// The router matches it segment by segment (router.go).
func (x *exchange) rawString() string {
	if !x.rawOK {
		x.raw, x.rawOK = string(x.r.RawPath), true
	}
	return x.raw
}

// pathString returns the decoded path as a string, made once: the raw one
// when there was nothing to decode.
func (x *exchange) pathString() string {
	if !x.pathOK {
		if len(x.r.Path) == len(x.r.RawPath) {
			x.path = x.rawString()
		} else {
			x.path = string(x.r.Path)
		}
		x.pathOK = true
	}
	return x.path
}

// param returns the i-th parameter's value, percent-decoded.
func (x *exchange) param(i int) string {
	sp := x.params[i]
	v := x.raw[sp.start:sp.end]
	if strings.IndexByte(v, '%') >= 0 {
		v, _ = url.PathUnescape(v) // httpcore refused malformed escapes
	}
	return v
}

// requestTables makes the request tables of one state. A request table
// starts empty with a shared metatable whose __index builds fields on first
// use (cheap fields cost a lookup, expensive ones — headers, query,
// cookies, body — are parsed only when a route reads them); pairs(req)
// builds them all first. Fields that middleware sets are plain table
// fields and shadow the built ones.
type requestTables struct {
	x      *exchange       // the state's; its tbl is nil between requests
	ctx    context.Context // the state's request context, for json decoding
	reqMT  *lua.LTable
	lazyMT [lazyKinds]*lua.LTable // lazy.go

	// Per-state constants, made once so requests do not box them again.
	methods map[string]lua.LValue
	funcs   map[string]lua.LValue // req:json(), req:header(name), ...

	uploads  upload.Limits   // req:form()'s (form.go)
	sessions *sessionOptions // nil without app.sessions (session.go)
	errMT    *lua.LTable     // of raised request errors
}

// requestFields are the fields pairs(req) lists, in order.
var requestFields = []string{"method", "target", "path", "raw_path", "query_string", "query", "headers", "params",
	"cookies", "body", "remote_addr", "remote_ip", "scheme", "id", "version", "host", "route"}

// init builds the metatables and constants in L, for requests served
// through x under ctx.
func (rt *requestTables) init(L *lua.LState, x *exchange, ctx context.Context) {
	rt.x, rt.ctx = x, ctx
	rt.methods = map[string]lua.LValue{}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
		rt.methods[m] = lua.LString(m)
	}
	rt.funcs = map[string]lua.LValue{}
	for name, fn := range map[string]lua.LGFunction{
		"json": rt.reqJSON, "form": rt.reqForm, "cookie": rt.reqCookie, "header": rt.reqHeader,
		"header_values": rt.reqHeaderValues, "query_values": rt.reqQueryValues, "form_values": rt.reqFormValues,
		"form_files": rt.reqFormFiles, "csrf_token": rt.reqCSRFToken, "verify_csrf": rt.reqVerifyCSRF,
	} {
		rt.funcs[name] = L.NewFunction(fn)
	}
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(rt.index))
	mt.RawSetString("__pairs", L.NewFunction(rt.pairs))
	mt.RawSetString("__metatable", lua.LString("request"))
	mt.RawSetString(stdlib.FillField, &lua.LUserData{Value: stdlib.Filler(func(t *lua.LTable) {
		if x := rt.x; x.tbl != nil && x.tbl == t {
			rt.fill(L, x, t)
		}
	})})
	rt.reqMT = mt
	rt.initLazy(L)
}

// newTable makes the table of the request being served.
func (rt *requestTables) newTable() *lua.LTable {
	t := &lua.LTable{Metatable: rt.reqMT}
	rt.x.tbl = t
	return t
}

// table returns the request's table, made now when the route could not see
// it (Engine.requestUnseen) and a hook or the not-found handler needs it.
func (rt *requestTables) table() *lua.LTable {
	if t := rt.x.tbl; t != nil {
		return t
	}
	return rt.newTable()
}

// current checks that t is the request being served: a request table kept
// past its response must not read another request's data.
func (rt *requestTables) current(L *lua.LState, t lua.LValue) *exchange {
	x := rt.x
	if x.tbl == nil || t != lua.LValue(x.tbl) {
		L.RaiseError("request table used after its response was sent")
	}
	return x
}

func (rt *requestTables) index(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	k, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(rt.field(L, x, string(k)))
	return 1
}

// field builds one field of the request table.
func (rt *requestTables) field(L *lua.LState, x *exchange, k string) lua.LValue {
	r := x.r
	switch k {
	case "method":
		if v, ok := rt.methods[string(r.Method)]; ok {
			return v
		}
		return lua.LString(r.Method)
	case "path":
		if x.lvPath == nil {
			x.lvPath = lua.LString(x.pathString())
		}
		return x.lvPath
	case "raw_path":
		return lua.LString(r.RawPath)
	case "target":
		return lua.LString(r.Target)
	case "query_string":
		return lua.LString(r.Query)
	case "body":
		if x.lvBody == nil {
			x.lvBody = lua.LString(body(L, x))
		}
		return x.lvBody
	case "query", "headers", "params", "cookies":
		return rt.lazyField(x, k)
	case "session":
		return rt.sessionField(L, x)
	}
	return rt.connField(x, k)
}

// connField builds the fields about the connection and the route; methods
// (req:json(), ...) are looked up last.
func (rt *requestTables) connField(x *exchange, k string) lua.LValue {
	r := x.r
	switch k {
	case "remote_addr":
		return lua.LString(r.RemoteAddr)
	case "remote_ip":
		return lua.LString(r.RemoteIP)
	case "scheme":
		if r.Scheme == httpcore.SchemeHTTPS {
			return lvHTTPS
		}
		return lvHTTP
	case "id":
		if len(r.ID) == 0 {
			return lua.LNil
		}
		return lua.LString(r.ID)
	case "version":
		if r.ProtoMinor == 0 {
			return lvHTTP10
		}
		return lvHTTP11
	case "host":
		return lua.LString(r.Host)
	case "route":
		if x.route == nil {
			return lua.LNil
		}
		return lua.LString(x.route.pattern)
	}
	if fn, ok := rt.funcs[k]; ok {
		return fn
	}
	return lua.LNil
}

var (
	lvHTTP10 lua.LValue = lua.LString("HTTP/1.0")
	lvHTTP11 lua.LValue = lua.LString("HTTP/1.1")
	lvHTTP   lua.LValue = lua.LString("http")
	lvHTTPS  lua.LValue = lua.LString("https")
)

// pairs implements pairs(req): every field is built and set in the table,
// then plain next iterates it.
func (rt *requestTables) pairs(L *lua.LState) int {
	t := L.CheckTable(1)
	rt.fill(L, rt.current(L, t), t)
	L.Push(L.GetGlobal("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// fill sets every request field in t, as pairs and json.encode see the
// request.
func (rt *requestTables) fill(L *lua.LState, x *exchange, t *lua.LTable) {
	for _, k := range requestFields {
		if t.RawGetString(k) == lua.LNil {
			if v := rt.field(L, x, k); v != lua.LNil {
				t.RawSetString(k, v)
			}
		}
	}
}

// body reads the whole request body once. A body the core refuses (too
// large, malformed) raises: the core then answers with its status.
func body(L *lua.LState, x *exchange) []byte {
	if !x.bodyRead {
		b, err := x.r.ReadBody()
		if err != nil {
			L.RaiseError("request body: %s", err.Error())
		}
		x.bodyBytes, x.bodyRead = b, true
	}
	return x.bodyBytes
}

// req:json() -> value | nil, err: the body decoded as JSON, once.
func (rt *requestTables) reqJSON(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	if x.lvJSON == nil && x.jsonErr == "" {
		v, err := json.Decode(rt.ctx, L, string(body(L, x)))
		if err != nil {
			x.jsonErr = err.Error()
		} else {
			x.lvJSON = v
		}
	}
	if x.jsonErr != "" {
		L.Push(lua.LNil)
		L.Push(lua.LString(x.jsonErr))
		return 2
	}
	L.Push(x.lvJSON)
	return 1
}

func formBody(L *lua.LState, x *exchange) string {
	ct := x.r.Header.Get("Content-Type")
	if i := strings.IndexByte(string(ct), ';'); i >= 0 {
		ct = ct[:i]
	}
	if !httpcore.EqualFold(bytes.TrimSpace(ct), "application/x-www-form-urlencoded") {
		return ""
	}
	return string(body(L, x))
}

// req:query_values(name) -> { value, ... }
func (rt *requestTables) reqQueryValues(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	name := L.CheckString(2)
	all := luaurl.QueryTable(L, string(x.r.Query), true)
	L.Push(listOrEmpty(L, all.RawGetString(name)))
	return 1
}

func listOrEmpty(L *lua.LState, v lua.LValue) lua.LValue {
	if v == lua.LNil {
		return L.CreateTable(0, 0)
	}
	return v
}

// req:cookie(name) -> string | nil
func (rt *requestTables) reqCookie(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	L.Push(lazyGet(x, lazyCookies, L.CheckString(2)))
	return 1
}

// req:header(name) -> string | nil: any case; repeated fields joined.
func (rt *requestTables) reqHeader(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	L.Push(lazyGet(x, lazyHeaders, L.CheckString(2)))
	return 1
}

// req:header_values(name) -> { value, ... }: each field named name, in order.
func (rt *requestTables) reqHeaderValues(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	name := L.CheckString(2)
	t := L.NewTable()
	x.r.Header.Values(name, func(v []byte) { t.Append(lua.LString(v)) })
	L.Push(t)
	return 1
}
