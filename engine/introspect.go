package engine

import (
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// This file holds read-only views of a loaded engine for the luaserve
// command's tools ("luaserve check", "luaserve test"); serving does not use
// them.

// Mounts lists the app.static registrations in registration order, as
// RouteInfo{"GET", prefix, where}: the prefix ends in "/".
func (e *Engine) Mounts() []RouteInfo {
	out := make([]RouteInfo, 0, len(e.mounts))
	for _, m := range e.mounts {
		out = append(out, RouteInfo{"GET", m.prefix, m.where})
	}
	return out
}

// Globals lists the global names defined once the script has loaded (the
// standard library's and the script's own), sorted. A route may assign
// these; assigning any other global fails at run time. It takes a Lua state
// from the pool for a moment, so call it before serving.
func (e *Engine) Globals() []string {
	st := e.acquire()
	if st == nil {
		return nil
	}
	defer e.release(st, false)
	var names []string
	st.L.G.Global.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			names = append(names, string(s))
		}
	})
	sort.Strings(names)
	return names
}

// PreloadLibs makes luaserve's data modules, luaserve.json and luaserve.url,
// requirable in L, a state the engine does not own: the Lua test runner's,
// so that tests decode JSON exactly as routes encode it.
func PreloadLibs(L *lua.LState) {
	L.PreloadModule("luaserve.json", openJSON)
	L.PreloadModule("luaserve.url", openURL)
}

// JSONDecode decodes text with luaserve.json's rules into a value for L
// (objects and arrays marked, null as json.null). The test runner uses it
// for a response's json field.
func JSONDecode(L *lua.LState, text string) (lua.LValue, error) {
	return decodeJSON(L, text)
}

// ResponseKeys lists the fields a response table may have, sorted: those
// readResponseTable (response.go) reads. Any other key is ignored (and
// warned about in -dev).
func ResponseKeys() []string {
	return []string{"body", "cookies", "download", "file", "headers", "html", "json", "redirect", "status", "text"}
}

// IsJSONNull reports whether v is luaserve.json's null (of any state).
func IsJSONNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(jsonNull)
	return ok
}

// Unreachable lists the routes the router can never pick (a *wildcard route
// whose every path a more specific route answers), for "luaserve check".
func (e *Engine) Unreachable() []RouteInfo {
	var out []RouteInfo
	for _, r := range e.router.unreachable() {
		out = append(out, RouteInfo{r.method, r.pattern, r.where})
	}
	return out
}
