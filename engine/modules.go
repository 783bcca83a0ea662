package engine

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/luaserve/luaserve/httpcore"
	lua "github.com/yuin/gopher-lua"
	luar "layeh.com/gopher-luar"
)

// installModules preloads the luaserve modules into the state: those written
// in Go (below) and the embedded Lua ones (lua/stdlib).
func (st *state) installModules() {
	L := st.L
	goModules := []struct {
		name string
		open lua.LGFunction
	}{
		{"luaserve", st.openApp},
		{"luaserve.json", openJSON},
		{"luaserve.store", st.openStore},
		{"luaserve.log", st.openLog},
		{"luaserve.url", openURL},
		{"luaserve.time", st.openTime},
	}
	for _, m := range goModules {
		L.PreloadModule(m.name, m.open)
	}
	for name, proto := range st.e.stdlib {
		L.PreloadModule(name, protoLoader(proto))
	}
	// require("x") finds x.lua beside the script, compiled once for all states.
	if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
		if loaders, ok := pkg.RawGetString("loaders").(*lua.LTable); ok {
			loaders.RawSetInt(2, L.NewFunction(st.e.moduleSearcher))
		}
		pkg.RawSetString("path", lua.LString(""))
		pkg.RawSetString("cpath", lua.LString(""))
	}
}

// openApp implements require("luaserve"): the routing surface.
//
//	app.get(pattern, fn) ... app.delete, app.patch, app.put, app.post,
//	app.options, app.head; app.any(pattern, fn); app.route(method, pattern, fn)
//	app.use([prefix,] fn)       middleware: fn(req) -> nil | response
//	app.not_found(fn)           fn(req) -> response
//	app.on_error(fn)            fn(req, message) -> response
//	app.static(prefix, dir [, options])
//	app.dev, app.version, app.config (see ScriptConfig)
func (st *state) openApp(L *lua.LState) int {
	t := L.NewTable()
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"} {
		t.RawSetString(strings.ToLower(m), L.NewFunction(st.registrar(m)))
	}
	t.RawSetString("any", L.NewFunction(st.registrar("*")))
	t.RawSetString("route", L.NewFunction(func(L *lua.LState) int {
		method := L.CheckString(1)
		if method == "*" || strings.EqualFold(method, "any") {
			method = "*"
		} else if !httpcore.ValidFieldName(method) { // a method is a token too
			L.ArgError(1, "invalid method "+method)
		}
		L.Remove(1)
		return st.registrar(strings.ToUpper(method))(L)
	}))
	t.RawSetString("use", L.NewFunction(func(L *lua.LState) int {
		st.mustBeLoading(L, "use")
		prefix := ""
		if L.GetTop() >= 2 {
			prefix = L.CheckString(1)
			L.Remove(1)
		}
		fn := L.CheckFunction(1)
		st.reg.mws = append(st.reg.mws, middleware{prefix: prefix, fn: fn, where: where(L)})
		return 0
	}))
	t.RawSetString("not_found", L.NewFunction(func(L *lua.LState) int {
		st.mustBeLoading(L, "not_found")
		st.reg.notFound = L.CheckFunction(1)
		return 0
	}))
	t.RawSetString("on_error", L.NewFunction(func(L *lua.LState) int {
		st.mustBeLoading(L, "on_error")
		st.reg.onError = L.CheckFunction(1)
		return 0
	}))
	t.RawSetString("static", L.NewFunction(st.registerMount))
	t.RawSetString("dev", lua.LBool(st.e.cfg.Dev))
	t.RawSetString("version", lua.LString(Version))
	t.RawSetString("config", luar.New(L, st.e.scriptConfig()))
	L.Push(t)
	return 1
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

// Version is the luaserve release, shown by "luaserve version".
const Version = "0.1.0"

func (st *state) registrar(method string) lua.LGFunction {
	return func(L *lua.LState) int {
		st.mustBeLoading(L, "route")
		pattern := L.CheckString(1)
		fn := L.CheckFunction(2)
		st.reg.routes = append(st.reg.routes, regRoute{method: method, pattern: pattern, fn: fn, where: where(L)})
		return 0
	}
}

func (st *state) mustBeLoading(L *lua.LState, what string) {
	if !st.reg.loading {
		L.RaiseError("%s: routes and hooks are registered while the script loads, not from a request", what)
	}
}

// openLog implements require("luaserve.log"): log.debug|info|warn|error(
// message:string [, fields:table]) to the server log, with the caller's
// file:line.
func (st *state) openLog(L *lua.LState) int {
	t := L.NewTable()
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	for name, level := range levels {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			msg := L.ToStringMeta(L.Get(1)).String()
			attrs := []any{"where", where(L)}
			if fields, ok := L.Get(2).(*lua.LTable); ok {
				fields.ForEach(func(k, v lua.LValue) {
					attrs = append(attrs, k.String(), luaToGo(v, 0))
				})
			}
			st.e.log.Log(context.Background(), level, msg, attrs...)
			return 0
		}))
	}
	L.Push(t)
	return 1
}

// luaToGo converts a Lua value for logging.
func luaToGo(v lua.LValue, depth int) any {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return float64(v)
	case lua.LBool:
		return bool(v)
	case *lua.LTable:
		if depth > 5 {
			return "table"
		}
		m := map[string]any{}
		v.ForEach(func(k, val lua.LValue) { m[k.String()] = luaToGo(val, depth+1) })
		return m
	}
	if v == lua.LNil {
		return nil
	}
	return v.String()
}

// openURL implements require("luaserve.url").
//
//	url.encode(s) -> string               percent-encodes all but A-Z a-z 0-9 - . _ ~
//	url.decode(s) -> string | nil, err    percent-decodes ("+" stays "+")
//	url.encode_query(t) -> string         form encoding, keys sorted; list values repeat
//	url.parse_query(s) -> table           name -> first value ("+" is a space)
//	url.parse_query_all(s) -> table       name -> list of values
func openURL(L *lua.LState) int {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			L.Push(lua.LString(escapeComponent(L.CheckString(1))))
			return 1
		},
		"decode": func(L *lua.LState) int {
			s, err := url.PathUnescape(L.CheckString(1))
			if err != nil {
				L.Push(lua.LNil)
				L.Push(lua.LString("url: malformed percent-encoding"))
				return 2
			}
			L.Push(lua.LString(s))
			return 1
		},
		"encode_query": func(L *lua.LState) int {
			tbl := L.CheckTable(1)
			v := url.Values{}
			tbl.ForEach(func(k, val lua.LValue) {
				if list, ok := val.(*lua.LTable); ok {
					for i := 1; i <= list.Len(); i++ {
						v.Add(k.String(), lua.LVAsString(L.ToStringMeta(list.RawGetInt(i))))
					}
					return
				}
				v.Add(k.String(), L.ToStringMeta(val).String())
			})
			L.Push(lua.LString(v.Encode()))
			return 1
		},
		"parse_query": func(L *lua.LState) int {
			L.Push(queryTable(L, L.CheckString(1), false))
			return 1
		},
		"parse_query_all": func(L *lua.LState) int {
			L.Push(queryTable(L, L.CheckString(1), true))
			return 1
		},
	})
	L.Push(t)
	return 1
}

// escapeComponent percent-encodes s like JavaScript's encodeURIComponent,
// minus its !'()* exceptions: RFC 3986 unreserved characters stay.
func escapeComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// queryTable parses a query string or form body into a table: name -> first
// value, or name -> list of values when all is set. Malformed pairs are
// skipped, as browsers and net/url do.
func queryTable(L *lua.LState, s string, all bool) *lua.LTable {
	t := L.NewTable()
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if all {
			list, ok := t.RawGetString(k).(*lua.LTable)
			if !ok {
				list = L.CreateTable(1, 0)
				t.RawSetString(k, list)
			}
			list.Append(lua.LString(v))
		} else if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, lua.LString(v))
		}
	}
	return t
}

// openTime implements require("luaserve.time").
//
//	time.now() -> number        seconds since the Unix epoch, with fractions
//	time.monotonic() -> number  seconds on a clock that never jumps
//	time.sleep(seconds)         blocks this state (not the server); the
//	                            request time limit still applies
func (st *state) openTime(L *lua.LState) int {
	t := L.NewTable()
	start := time.Now()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"now": func(L *lua.LState) int {
			L.Push(lua.LNumber(float64(time.Now().UnixNano()) / 1e9))
			return 1
		},
		"monotonic": func(L *lua.LState) int {
			L.Push(lua.LNumber(time.Since(start).Seconds()))
			return 1
		},
		"sleep": func(L *lua.LState) int {
			d := time.Duration(float64(L.CheckNumber(1)) * float64(time.Second))
			if d <= 0 {
				return 0
			}
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-st.limit.Done():
				L.RaiseError("%s", errTimeLimit.Error())
			}
			return 0
		},
	})
	L.Push(t)
	return 1
}
