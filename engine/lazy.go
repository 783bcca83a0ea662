package engine

import (
	"bytes"
	"net/url"

	lua "github.com/yuin/gopher-lua"
)

// Lazy tables: req.params, req.query, req.headers and req.cookies are
// empty tables whose metatable looks a key up in the request when it is
// read, so that a route reading one header does not pay for a table of
// twenty (a string-keyed gopher-lua table costs several allocations per
// key). pairs() and json.encode fill them first; values a script assigns
// are plain fields and win over the request's.
type lazyKind int

const (
	lazyParams lazyKind = iota
	lazyQuery
	lazyHeaders
	lazyCookies
	lazyKinds
)

// initLazy builds one metatable per kind.
func (st *state) initLazy() {
	L := st.L
	for k := lazyKind(0); k < lazyKinds; k++ {
		kind := k
		mt := L.NewTable()
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			x := st.currentLazy(L, L.Get(1), kind)
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(st.lazyGet(L, x, kind, string(key)))
			return 1
		}))
		mt.RawSetString("__pairs", L.NewFunction(func(L *lua.LState) int {
			t := L.CheckTable(1)
			st.fillLazy(L, st.currentLazy(L, t, kind), kind, t)
			L.Push(L.GetGlobal("next"))
			L.Push(t)
			L.Push(lua.LNil)
			return 3
		}))
		// json.encode fills a lazy table through this, without calling Lua.
		mt.RawSetString(fillField, &lua.LUserData{Value: filler(func(t *lua.LTable) {
			if x := &st.x; x.tbl != nil && lazyOf(x, kind) == lua.LValue(t) {
				st.fillLazy(L, x, kind, t)
			}
		})})
		st.lazyMT[kind] = mt
	}
}

// fillField names the metatable field holding a table's filler.
const fillField = "__luaserve_fill"

// filler completes a lazily built table in place.
type filler func(t *lua.LTable)

// fillTable runs t's filler, if it has one.
func fillTable(t *lua.LTable) {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return
	}
	if ud, ok := mt.RawGetString(fillField).(*lua.LUserData); ok {
		if f, ok := ud.Value.(filler); ok {
			f(t)
		}
	}
}

func (st *state) newLazy(kind lazyKind) *lua.LTable {
	return &lua.LTable{Metatable: st.lazyMT[kind]}
}

func lazyOf(x *reqCtx, kind lazyKind) lua.LValue {
	switch kind {
	case lazyParams:
		return x.lvParams
	case lazyQuery:
		return x.lvQuery
	case lazyHeaders:
		return x.lvHeaders
	}
	return x.lvCookies
}

// currentLazy checks that t belongs to the request being served.
func (st *state) currentLazy(L *lua.LState, t lua.LValue, kind lazyKind) *reqCtx {
	x := &st.x
	if x.tbl == nil || lazyOf(x, kind) != t {
		L.RaiseError("request table used after its response was sent")
	}
	return x
}

// lazyGet looks one key up in the request.
func (st *state) lazyGet(L *lua.LState, x *reqCtx, kind lazyKind, key string) lua.LValue {
	r := x.r
	switch kind {
	case lazyParams:
		if x.route == nil {
			return lua.LNil
		}
		for i, name := range x.route.params {
			if name == key && i < x.nparams {
				sp := x.params[i]
				return lua.LString(x.spanOn[sp.start:sp.end])
			}
		}
	case lazyQuery:
		if v, ok := queryValue(r.Query, key); ok {
			return lua.LString(v)
		}
	case lazyHeaders:
		return headerValue(r, []byte(key))
	case lazyCookies:
		if v, ok := requestCookie(r, key); ok {
			return lua.LString(v)
		}
	}
	return lua.LNil
}

// fillLazy sets every key of the request's kind in t (what pairs shows).
func (st *state) fillLazy(L *lua.LState, x *reqCtx, kind lazyKind, t *lua.LTable) {
	switch kind {
	case lazyParams:
		if x.route == nil {
			return
		}
		for i, name := range x.route.params {
			if i < x.nparams && t.RawGetString(name) == lua.LNil {
				sp := x.params[i]
				t.RawSetString(name, lua.LString(x.spanOn[sp.start:sp.end]))
			}
		}
	case lazyQuery:
		q := queryTable(L, string(x.r.Query), false)
		q.ForEach(func(k, v lua.LValue) {
			if t.RawGet(k) == lua.LNil {
				t.RawSet(k, v)
			}
		})
	case lazyHeaders:
		fillHeaders(t, x.r)
	case lazyCookies:
		fillCookies(t, x.r)
	}
}

// queryValue finds the first value of key in a query string, decoding it
// (application/x-www-form-urlencoded: "+" is a space). It works on the
// request's bytes: only the value found becomes a string.
func queryValue(q []byte, key string) (string, bool) {
	for len(q) > 0 {
		var pair []byte
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			pair, q = q[:i], q[i+1:]
		} else {
			pair, q = q, nil
		}
		k, v := pair, []byte(nil)
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			k, v = pair[:i], pair[i+1:]
		}
		if string(k) != key {
			if bytes.IndexByte(k, '%') < 0 && bytes.IndexByte(k, '+') < 0 {
				continue
			}
			dk, err := url.QueryUnescape(string(k))
			if err != nil || dk != key {
				continue
			}
		}
		if bytes.IndexByte(v, '%') < 0 && bytes.IndexByte(v, '+') < 0 {
			return string(v), true
		}
		dv, err := url.QueryUnescape(string(v))
		if err != nil {
			continue
		}
		return dv, true
	}
	return "", false
}
