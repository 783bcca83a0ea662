package engine

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	luar "layeh.com/gopher-luar"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// AnyMethod is how a route for every method is spelled: app.any(...),
// app.route("ANY", ...), and "luaserve routes" all say ANY.
const AnyMethod = "ANY"

// registry is what a script registered while it loaded, in one state.
type registry struct {
	loading  bool // registering is allowed only while the script loads
	routes   []regRoute
	mws      []middleware
	notFound *lua.LFunction
	onError  *lua.LFunction
	onStatus *lua.LFunction
	after    []*lua.LFunction
	cors     *corsPolicy // nil without app.cors
	corsFn   *lua.LFunction
	sessions *sessionOptions // nil without app.sessions
	mounts   []mount
	conn     lua.LGFunction // app.conn, set by newState
}

type regRoute struct {
	method, pattern string
	where           stdlib.Place
	fn              *lua.LFunction
	realtime        int         // rtWebSocket, rtStream: app.ws, app.sse (realtime_route.go)
	rt              *rtHandlers // their handlers
}

type middleware struct {
	prefix string
	fn     *lua.LFunction
	where  stdlib.Place
}

// appModule is require("luaserve"), the routing surface; what the script
// registers goes to reg.
//
//	app.get(pattern, fn) ... app.delete, app.patch, app.put, app.post,
//	app.options, app.head; app.any(pattern, fn); app.route(method, pattern, fn)
//	app.use([prefix,] fn)       middleware: fn(req) -> nil | response
//	app.not_found(fn)           fn(req) -> response
//	app.on_error(fn)            fn(req, message, status) -> response | nil
//	app.on_status(fn)           fn(req, status, reason) -> response | nil (hooks.go)
//	app.after(fn)               fn(req, res) after every response (hooks.go)
//	app.cors(options)           CORS policy (cors.go)
//	app.sessions([options])     cookie sessions (session.go)
//	app.static(prefix, dir [, options])
//	app.ws(pattern, {open, message, close}), app.sse(pattern, {open, close}),
//	app.conn(id) -> conn | nil   (realtime_route.go, realtime_lua.go)
//	app.dev, app.version, app.config (see ScriptConfig)
func appModule(reg *registry, cfg ScriptConfig) stdlib.Module {
	return stdlib.Module{Name: "luaserve", Open: func(L *lua.LState, _ stdlib.Host) *lua.LTable {
		t := L.CreateTable(0, 16)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", AnyMethod} {
			t.RawSetString(strings.ToLower(m), L.NewFunction(reg.registrar(m)))
		}
		t.RawSetString("route", L.NewFunction(reg.route))
		t.RawSetString("use", L.NewFunction(reg.use))
		t.RawSetString("not_found", L.NewFunction(func(L *lua.LState) int {
			reg.mustBeLoading(L, "not_found")
			reg.notFound = L.CheckFunction(1)
			return 0
		}))
		t.RawSetString("on_error", L.NewFunction(func(L *lua.LState) int {
			reg.mustBeLoading(L, "on_error")
			reg.onError = L.CheckFunction(1)
			return 0
		}))
		t.RawSetString("on_status", L.NewFunction(func(L *lua.LState) int {
			reg.mustBeLoading(L, "on_status")
			reg.onStatus = L.CheckFunction(1)
			return 0
		}))
		t.RawSetString("after", L.NewFunction(func(L *lua.LState) int {
			reg.mustBeLoading(L, "after")
			reg.after = append(reg.after, L.CheckFunction(1))
			return 0
		}))
		t.RawSetString("cors", L.NewFunction(reg.corsOption))
		t.RawSetString("sessions", L.NewFunction(reg.sessionsOption))
		t.RawSetString("static", L.NewFunction(reg.static))
		t.RawSetString("ws", L.NewFunction(reg.realtimeRegistrar(rtWebSocket)))
		t.RawSetString("sse", L.NewFunction(reg.realtimeRegistrar(rtStream)))
		t.RawSetString("conn", L.NewFunction(reg.conn))
		t.RawSetString("dev", lua.LBool(cfg.Dev))
		t.RawSetString("version", lua.LString(Version))
		t.RawSetString("config", luar.New(L, cfg))
		return t
	}}
}

func (reg *registry) registrar(method string) lua.LGFunction {
	return func(L *lua.LState) int {
		reg.mustBeLoading(L, "route")
		pattern := L.CheckString(1)
		fn := L.CheckFunction(2)
		reg.routes = append(reg.routes, regRoute{method: method, pattern: pattern, fn: fn, where: stdlib.Caller(L, 1)})
		return 0
	}
}

// route implements app.route(method, pattern, fn).
func (reg *registry) route(L *lua.LState) int {
	method := strings.ToUpper(L.CheckString(1))
	if method == "*" {
		method = AnyMethod
	} else if !httpcore.ValidFieldName(method) { // a method is a token too
		L.ArgError(1, "invalid method "+method)
	}
	L.Remove(1)
	return reg.registrar(method)(L)
}

// use implements app.use([prefix,] fn).
func (reg *registry) use(L *lua.LState) int {
	reg.mustBeLoading(L, "use")
	prefix := ""
	if L.GetTop() >= 2 {
		prefix = L.CheckString(1)
		L.Remove(1)
	}
	fn := L.CheckFunction(1)
	reg.mws = append(reg.mws, middleware{prefix: prefix, fn: fn, where: stdlib.Caller(L, 1)})
	return 0
}

func (reg *registry) mustBeLoading(L *lua.LState, what string) {
	if !reg.loading {
		L.RaiseError("%s: routes and hooks are registered while the script loads, not from a request", what)
	}
}

// ScriptConfig is what a script can read of the server's settings, as
// app.config (read-only). It crosses into Lua by reflection (gopher-luar):
// fine once per state at start-up, never per request.
type ScriptConfig struct {
	Version string  `luar:"version"`
	Script  string  `luar:"script"`
	Dev     bool    `luar:"dev"`
	Workers int     `luar:"workers"`
	Timeout float64 `luar:"timeout"` // seconds; 0 when there is no limit
	Root    string  `luar:"root"`
}

func (e *Engine) scriptConfig() ScriptConfig {
	root := e.cfg.Root
	if root == "" && e.cfg.Files == nil {
		root = e.scriptDir
	}
	return ScriptConfig{Version: Version, Script: e.cfg.Script, Dev: e.cfg.Dev, Workers: e.cfg.Workers,
		Timeout: e.timeout.Seconds(), Root: root}
}

// Version is the luaserve release, shown by "luaserve version" and given
// to scripts as app.config.version. A variable so that a release build
// can stamp it: -ldflags "-X github.com/luaserve/luaserve/engine.Version=1.2.3"
// (scripts/release.sh).
var Version = "0.1.0"
