package stdlib

import (
	"runtime/metrics"

	lua "github.com/yuin/gopher-lua"
)

// installCollectGarbage replaces collectgarbage, which in gopher-lua runs
// a full collection of the whole Go process, stopping every request: a
// script calling it per request would stall the server. Here it collects
// nothing ("collect" and "step" are for a heap the script does not own),
// "count" gives the process's live heap in kilobytes as Lua 5.1 gives its
// own, and any other option returns 0.
func installCollectGarbage(L *lua.LState) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	L.SetGlobal("collectgarbage", L.NewFunction(func(L *lua.LState) int {
		switch L.OptString(1, "collect") {
		case "count":
			metrics.Read(sample)
			kb := 0.0
			if sample[0].Value.Kind() == metrics.KindUint64 {
				kb = float64(sample[0].Value.Uint64()) / 1024
			}
			L.Push(lua.LNumber(kb))
		default:
			L.Push(lua.LNumber(0))
		}
		return 1
	}))
}
