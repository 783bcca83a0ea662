package engine

import (
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// This file holds read-only views of a loaded engine for the luaserve
// command's tools ("luaserve check", "luaserve test"); serving does not use
// them. None gives out a Lua value.

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

// Unreachable lists the routes the router can never pick (a *wildcard route
// whose every path a more specific route answers), for "luaserve check".
func (e *Engine) Unreachable() []RouteInfo {
	var out []RouteInfo
	for _, r := range e.router.unreachable() {
		out = append(out, RouteInfo{r.method, r.pattern, r.where})
	}
	return out
}
