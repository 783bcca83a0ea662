package engine

import (
	"context"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// BenchmarkJSONRouteFloor is the bench json route (bench/routes.lua) run
// in gopher-lua alone: the request a plain table whose params and query
// are plain tables made once, the returned table encoded by luaserve's
// JSON encoder into a reused buffer. No HTTP, no lazy tables, no pool, no
// time limit: what the route's own Lua costs on gopher-lua, the part of a
// json request that no change to the engine can remove
// (docs/BENCHMARKS.md compares it with nginx's whole request).
func BenchmarkJSONRouteFloor(b *testing.B) {
	paceLikeCommand()
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`route = function(req)
  local id = req.params.id
  return { json = { id = id, name = "user-" .. id, fields = req.query.fields or "" } }
end`); err != nil {
		b.Fatal(err)
	}
	route := L.GetGlobal("route")
	req, params, query := L.NewTable(), L.NewTable(), L.NewTable()
	params.RawSetString("id", lua.LString("42"))
	query.RawSetString("fields", lua.LString("name,email"))
	req.RawSetString("params", params)
	req.RawSetString("query", query)
	ctx := context.Background()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: route, NRet: 1, Protect: true}, req); err != nil {
			b.Fatal(err)
		}
		res := L.Get(-1).(*lua.LTable)
		L.Pop(1)
		var err error
		if buf, err = json.Encode(ctx, buf[:0], res.RawGetString("json")); err != nil {
			b.Fatal(err)
		}
	}
	if string(buf) != `{"id":"42","name":"user-42","fields":"name,email"}` {
		b.Fatalf("encoded %s", buf)
	}
}
