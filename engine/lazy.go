package engine

import (
	"bytes"
	"net/url"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	luaurl "github.com/luaserve/luaserve/lua/stdlib/url"
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
func (rt *requestTables) initLazy(L *lua.LState) {
	for k := lazyKind(0); k < lazyKinds; k++ {
		kind := k
		mt := L.NewTable()
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			x := rt.currentLazy(L, L.Get(1), kind)
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(lazyGet(x, kind, string(key)))
			return 1
		}))
		mt.RawSetString("__pairs", L.NewFunction(func(L *lua.LState) int {
			t := L.CheckTable(1)
			fillLazy(L, rt.currentLazy(L, t, kind), kind, t)
			L.Push(L.GetGlobal("next"))
			L.Push(t)
			L.Push(lua.LNil)
			return 3
		}))
		// json.encode fills a lazy table through this, without calling Lua.
		mt.RawSetString(stdlib.FillField, &lua.LUserData{Value: stdlib.Filler(func(t *lua.LTable) {
			if x := rt.x; x.tbl != nil && *x.lazy(kind) == lua.LValue(t) {
				fillLazy(L, x, kind, t)
			}
		})})
		rt.lazyMT[kind] = mt
	}
}

// lazyField returns req.query, req.headers, req.params or req.cookies,
// made on first use.
func (rt *requestTables) lazyField(x *exchange, name string) lua.LValue {
	var kind lazyKind
	switch name {
	case "query":
		kind = lazyQuery
	case "headers":
		kind = lazyHeaders
	case "params":
		kind = lazyParams
	default:
		kind = lazyCookies
	}
	v := x.lazy(kind)
	if *v == nil {
		*v = &lua.LTable{Metatable: rt.lazyMT[kind]}
	}
	return *v
}

// lazy returns where x keeps its table of kind.
func (x *exchange) lazy(kind lazyKind) *lua.LValue {
	switch kind {
	case lazyParams:
		return &x.lvParams
	case lazyQuery:
		return &x.lvQuery
	case lazyHeaders:
		return &x.lvHeaders
	}
	return &x.lvCookies
}

// currentLazy checks that t belongs to the request being served.
func (rt *requestTables) currentLazy(L *lua.LState, t lua.LValue, kind lazyKind) *exchange {
	x := rt.x
	if x.tbl == nil || *x.lazy(kind) != t {
		L.RaiseError("request table used after its response was sent")
	}
	return x
}

// lazyGet looks one key up in the request.
func lazyGet(x *exchange, kind lazyKind, key string) lua.LValue {
	r := x.r
	switch kind {
	case lazyParams:
		if x.route == nil {
			return lua.LNil
		}
		for i, name := range x.route.params {
			if name == key && i < x.nparams {
				return lua.LString(x.param(i))
			}
		}
	case lazyQuery:
		if v, ok := queryValue(r.Query, key); ok {
			return lua.LString(v)
		}
	case lazyHeaders:
		return headerValue(r, key)
	case lazyCookies:
		for name, value := range r.Cookies() {
			if string(name) == key {
				return lua.LString(value)
			}
		}
	}
	return lua.LNil
}

// fillLazy sets every key of the request's kind in t (what pairs shows).
func fillLazy(L *lua.LState, x *exchange, kind lazyKind, t *lua.LTable) {
	set := func(k string, v lua.LValue) {
		if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, v)
		}
	}
	switch kind {
	case lazyParams:
		if x.route == nil {
			return
		}
		for i, name := range x.route.params {
			if i < x.nparams {
				set(name, lua.LString(x.param(i)))
			}
		}
	case lazyQuery:
		q := luaurl.QueryTable(L, string(x.r.Query), false)
		q.ForEach(func(k, v lua.LValue) { set(lua.LVAsString(k), v) })
	case lazyHeaders:
		for i := 0; i < x.r.Header.Len(); i++ {
			name, _ := x.r.Header.At(i)
			if k := lowerString(name); t.RawGetString(k) == lua.LNil {
				t.RawSetString(k, headerValue(x.r, k))
			}
		}
	case lazyCookies:
		for name, value := range x.r.Cookies() {
			set(string(name), lua.LString(value)) // the first of a repeated name wins
		}
	}
}

// headerValue is the value of the fields named name (any case), joined
// with ", " if repeated (RFC 9110, section 5.3), cookies with "; ".
func headerValue(r *httpcore.Request, name string) lua.LValue {
	var first, joined []byte
	n := 0
	for i := 0; i < r.Header.Len(); i++ {
		k, v := r.Header.At(i)
		if !httpcore.EqualFold(k, name) {
			continue
		}
		switch n {
		case 0:
			first = v
		case 1:
			joined = append(append(append(joined, first...), separator(k)...), v...)
		default:
			joined = append(append(joined, separator(k)...), v...)
		}
		n++
	}
	switch n {
	case 0:
		return lua.LNil
	case 1:
		return lua.LString(first)
	}
	return lua.LString(joined)
}

func separator(name []byte) string {
	if httpcore.EqualFold(name, "cookie") {
		return "; "
	}
	return ", "
}

// lowerString returns b lower-cased (ASCII) as a string: header names
// are table keys in lower case.
func lowerString(b []byte) string {
	var buf [64]byte
	var s []byte
	if len(b) <= len(buf) {
		s = buf[:len(b)]
	} else {
		s = make([]byte, len(b))
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		s[i] = c
	}
	return string(s)
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
