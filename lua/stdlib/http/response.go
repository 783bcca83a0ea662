package http

import (
	"context"
	"mime"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/outbound"
)

// responseTable is { status, headers, body, url, json }: header names in
// lower case, a repeated field as a list of its values; json is the body
// decoded when the Content-Type says JSON and it decodes.
func responseTable(L *lua.LState, ctx context.Context, res *outbound.Response) *lua.LTable {
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
	body := string(res.Body)
	t.RawSetString("body", lua.LString(body))
	t.RawSetString("url", lua.LString(res.URL))
	if isJSON(res.Header.Get("Content-Type")) && body != "" {
		if v, err := json.Decode(ctx, L, body); err == nil {
			t.RawSetString("json", v)
		}
	}
	return t
}

// isJSON: application/json, or a +json type (application/problem+json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
