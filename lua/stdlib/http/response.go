package http

import (
	"mime"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/outbound"
)

// responseTable is { status, headers, body, url }, with mt, whose
// __index decodes json on first read: header names in lower case, a
// repeated field as a list of its values.
func responseTable(L *lua.LState, mt *lua.LTable, res *outbound.Response) *lua.LTable {
	t := L.CreateTable(0, 5)
	t.RawSetString("status", lua.LNumber(res.Status))
	h := L.CreateTable(0, len(res.Header))
	for name, values := range res.Header {
		name = strings.ToLower(name)
		if len(values) == 1 {
			h.RawSetString(name, lua.LString(values[0]))
			continue
		}
		list := L.CreateTable(len(values), 0)
		for _, v := range values {
			list.Append(lua.LString(v))
		}
		h.RawSetString(name, list)
	}
	t.RawSetString("headers", h)
	t.RawSetString("body", lua.LString(res.Body))
	t.RawSetString("url", lua.LString(res.URL))
	L.SetMetatable(t, mt)
	return t
}

// responseMeta is the metatable of a state's response tables: res.json is
// the body decoded when the Content-Type is JSON, on first read, then
// kept; a route that passes the body on never pays for decoding it. A
// body that does not decode gives nil.
func responseMeta(L *lua.LState, h stdlib.Host) *lua.LTable {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		if L.Get(2) != lua.LString("json") {
			return 0
		}
		headers, _ := t.RawGetString("headers").(*lua.LTable)
		body, _ := t.RawGetString("body").(lua.LString)
		if headers == nil || body == "" {
			return 0
		}
		ct, _ := headers.RawGetString("content-type").(lua.LString)
		if !isJSON(string(ct)) {
			return 0
		}
		v, err := json.Decode(h.Context(), L, string(body))
		if err != nil {
			return 0
		}
		t.RawSetString("json", v)
		L.Push(v)
		return 1
	}))
	return mt
}

// isJSON: application/json, or a +json type (application/problem+json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
