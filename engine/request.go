package engine

import (
	"bytes"
	"net"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// reqCtx is the request a state is serving, and the Lua values built from
// it so far. The request table handed to Lua starts empty with a shared
// metatable whose __index builds fields on first use (cheap fields cost a
// lookup, expensive ones — headers, query, cookies, body — are parsed only
// when a route reads them); pairs(req) builds them all first. Fields that
// middleware sets are plain table fields and shadow the built ones.
type reqCtx struct {
	r      *httpcore.Request
	w      *httpcore.ResponseWriter
	tbl    *lua.LTable // nil between requests
	route  *route
	path   string // r.Path as a string, once made
	pathOK bool

	params  [8]span
	nparams int
	spanOn  string // the string params index into

	// Built values, nil until first use.
	lvPath, lvQuery, lvHeaders, lvBody, lvParams, lvCookies lua.LValue
	lvJSON, lvForm                                          lua.LValue
	jsonErr                                                 string
	bodyBytes                                               []byte
	bodyRead                                                bool

	send fileSend // a file to send once the state is released
}

func (x *reqCtx) reset() {
	*x = reqCtx{}
}

// pathString returns the decoded path as a string, made once per request.
func (x *reqCtx) pathString() string {
	if !x.pathOK {
		x.path, x.pathOK = string(x.r.Path), true
	}
	return x.path
}

// requestFields are the fields pairs(req) lists, in order.
var requestFields = []string{"method", "path", "raw_path", "query_string", "query", "headers", "params",
	"cookies", "body", "remote_addr", "remote_ip", "version", "host", "route"}

// initRequestMeta builds the state's request metatable and method values.
func (st *state) initRequestMeta() {
	L := st.L
	st.methods = map[string]lua.LValue{}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
		st.methods[m] = lua.LString(m)
	}
	st.fnJSON = L.NewFunction(st.reqJSON)
	st.fnForm = L.NewFunction(st.reqForm)
	st.fnCookie = L.NewFunction(st.reqCookie)
	st.fnHeader = L.NewFunction(st.reqHeader)
	st.fnHVals = L.NewFunction(st.reqHeaderValues)
	st.fnQVals = L.NewFunction(st.reqQueryValues)
	st.fnFVals = L.NewFunction(st.reqFormValues)
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(st.reqIndex))
	mt.RawSetString("__pairs", L.NewFunction(st.reqPairs))
	mt.RawSetString("__metatable", lua.LString("request"))
	mt.RawSetString(fillField, &lua.LUserData{Value: filler(func(t *lua.LTable) {
		if x := &st.x; x.tbl == t {
			st.fillRequest(L, x, t)
		}
	})})
	st.reqMT = mt
}

// newRequestTable makes the table for the current request.
func (st *state) newRequestTable() *lua.LTable {
	t := &lua.LTable{Metatable: st.reqMT}
	st.x.tbl = t
	return t
}

// current checks that t is the request being served: a request table kept
// past its response must not read another request's data.
func (st *state) current(L *lua.LState, t lua.LValue) *reqCtx {
	x := &st.x
	if x.tbl == nil || t != lua.LValue(x.tbl) {
		L.RaiseError("request table used after its response was sent")
	}
	return x
}

func (st *state) reqIndex(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	k, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(st.reqField(L, x, string(k)))
	return 1
}

func (st *state) reqField(L *lua.LState, x *reqCtx, k string) lua.LValue {
	r := x.r
	switch k {
	case "method":
		if v, ok := st.methods[string(r.Method)]; ok {
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
	case "query_string":
		return lua.LString(r.Query)
	case "query":
		if x.lvQuery == nil {
			x.lvQuery = st.newLazy(lazyQuery)
		}
		return x.lvQuery
	case "headers":
		if x.lvHeaders == nil {
			x.lvHeaders = st.newLazy(lazyHeaders)
		}
		return x.lvHeaders
	case "params":
		if x.lvParams == nil {
			x.lvParams = st.newLazy(lazyParams)
		}
		return x.lvParams
	case "cookies":
		if x.lvCookies == nil {
			x.lvCookies = st.newLazy(lazyCookies)
		}
		return x.lvCookies
	case "body":
		if x.lvBody == nil {
			x.lvBody = lua.LString(st.body(L, x))
		}
		return x.lvBody
	case "remote_addr":
		return lua.LString(r.RemoteAddr)
	case "remote_ip":
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		return lua.LString(host)
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
	case "json":
		return st.fnJSON
	case "form":
		return st.fnForm
	case "cookie":
		return st.fnCookie
	case "header":
		return st.fnHeader
	case "header_values":
		return st.fnHVals
	case "query_values":
		return st.fnQVals
	case "form_values":
		return st.fnFVals
	}
	return lua.LNil
}

var (
	lvHTTP10 lua.LValue = lua.LString("HTTP/1.0")
	lvHTTP11 lua.LValue = lua.LString("HTTP/1.1")
)

// reqPairs implements pairs(req): every field is built and set in the
// table, then plain next iterates it.
func (st *state) reqPairs(L *lua.LState) int {
	t := L.CheckTable(1)
	st.fillRequest(L, st.current(L, t), t)
	L.Push(L.GetGlobal("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// fillRequest sets every request field in t, as pairs and json.encode see
// the request.
func (st *state) fillRequest(L *lua.LState, x *reqCtx, t *lua.LTable) {
	for _, k := range requestFields {
		if t.RawGetString(k) == lua.LNil {
			if v := st.reqField(L, x, k); v != lua.LNil {
				t.RawSetString(k, v)
			}
		}
	}
}

// body reads the whole request body once. A body the core refuses (too
// large, malformed) raises: the core then answers with its status.
func (st *state) body(L *lua.LState, x *reqCtx) []byte {
	if !x.bodyRead {
		b, err := x.r.ReadBody()
		if err != nil {
			L.RaiseError("request body: %s", err.Error())
		}
		x.bodyBytes, x.bodyRead = b, true
	}
	return x.bodyBytes
}

// fillHeaders sets lower-case field names to values in t; repeated fields
// are joined with ", " (RFC 9110, section 5.3), cookies with "; ".
func fillHeaders(t *lua.LTable, r *httpcore.Request) {
	n := r.Header.Len()
	for i := 0; i < n; i++ {
		name, _ := r.Header.At(i)
		k := lowerString(name)
		if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, headerValue(r, name))
		}
	}
}

// headerValue is the value of the fields named name, joined if repeated.
func headerValue(r *httpcore.Request, name []byte) lua.LValue {
	var first []byte
	var joined []byte
	n := 0
	sep := ", "
	if len(name) == 6 && strings.EqualFold(string(name), "cookie") {
		sep = "; "
	}
	for i := 0; i < r.Header.Len(); i++ {
		k, v := r.Header.At(i)
		if !equalFoldBytes(k, name) {
			continue
		}
		switch n {
		case 0:
			first = v
		case 1:
			joined = append(append(append(joined, first...), sep...), v...)
		default:
			joined = append(append(joined, sep...), v...)
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

func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lowerString returns b lower-cased (ASCII) as a string.
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

// requestCookie finds the cookie name in the Cookie fields (RFC 6265,
// section 5.4); the first of a repeated name wins; quotes around a value go.
func requestCookie(r *httpcore.Request, name string) (string, bool) {
	val, found := "", false
	r.Header.Values("Cookie", func(v []byte) {
		for len(v) > 0 && !found {
			var part []byte
			if i := bytes.IndexByte(v, ';'); i >= 0 {
				part, v = v[:i], v[i+1:]
			} else {
				part, v = v, nil
			}
			part = bytes.TrimSpace(part)
			eq := bytes.IndexByte(part, '=')
			if eq <= 0 || string(part[:eq]) != name {
				continue
			}
			vv := part[eq+1:]
			if len(vv) >= 2 && vv[0] == '"' && vv[len(vv)-1] == '"' {
				vv = vv[1 : len(vv)-1]
			}
			val, found = string(vv), true
		}
	})
	return val, found
}

// fillCookies sets every cookie in t.
func fillCookies(t *lua.LTable, r *httpcore.Request) {
	r.Header.Values("Cookie", func(v []byte) {
		for _, part := range strings.Split(string(v), ";") {
			name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || name == "" {
				continue
			}
			if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
				val = val[1 : len(val)-1]
			}
			if t.RawGetString(name) == lua.LNil {
				t.RawSetString(name, lua.LString(val))
			}
		}
	})
}

// req:json() -> value | nil, err: the body decoded as JSON, once.
func (st *state) reqJSON(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	if x.lvJSON == nil && x.jsonErr == "" {
		v, err := decodeJSON(L, string(st.body(L, x)))
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

// req:form() -> table: an application/x-www-form-urlencoded body, name ->
// first value (an empty table for other content types).
func (st *state) reqForm(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	if x.lvForm == nil {
		x.lvForm = queryTable(L, st.formBody(L, x), false)
	}
	L.Push(x.lvForm)
	return 1
}

// req:form_values(name) -> { value, ... }
func (st *state) reqFormValues(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	name := L.CheckString(2)
	all := queryTable(L, st.formBody(L, x), true)
	L.Push(listOrEmpty(L, all.RawGetString(name)))
	return 1
}

func (st *state) formBody(L *lua.LState, x *reqCtx) string {
	ct := string(x.r.Header.Get("Content-Type"))
	mt, _, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded") {
		return ""
	}
	return string(st.body(L, x))
}

// req:query_values(name) -> { value, ... }
func (st *state) reqQueryValues(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	name := L.CheckString(2)
	all := queryTable(L, string(x.r.Query), true)
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
func (st *state) reqCookie(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	L.Push(st.lazyGet(L, x, lazyCookies, L.CheckString(2)))
	return 1
}

// req:header(name) -> string | nil: any case; repeated fields joined.
func (st *state) reqHeader(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	L.Push(st.lazyGet(L, x, lazyHeaders, L.CheckString(2)))
	return 1
}

// req:header_values(name) -> { value, ... }: each field named name, in order.
func (st *state) reqHeaderValues(L *lua.LState) int {
	x := st.current(L, L.Get(1))
	name := L.CheckString(2)
	t := L.NewTable()
	x.r.Header.Values(name, func(v []byte) { t.Append(lua.LString(v)) })
	L.Push(t)
	return 1
}
