package stdlib

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// StatusError stops a route with an HTTP status of its own rather than
// 500: a module raises it when the request cannot be served for a reason
// that is not the script's fault, such as a backend that does not answer
// (503). Unless the route catches it with pcall, the server answers with
// Status through the status hooks; Lua sees a value whose tostring is
// "503 Service Unavailable: store: redis at ...".
type StatusError struct {
	Status int    // 4xx or 5xx
	Reason string // what happened, for the log and the hooks
}

func (e *StatusError) Error() string {
	return strconv.Itoa(e.Status) + " " + httpcore.StatusText(e.Status) + ": " + e.Reason
}

// statusMTKey is the registry key of the metatable of raised StatusErrors.
const statusMTKey = "luaserve.status_error"

// RaiseStatus stops the running Lua function with e as its error value.
func RaiseStatus(L *lua.LState, e *StatusError) {
	mt, ok := L.G.Registry.RawGetString(statusMTKey).(*lua.LTable)
	if !ok {
		mt = L.CreateTable(0, 1)
		mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
			if se, ok := L.CheckUserData(1).Value.(*StatusError); ok {
				L.Push(lua.LString(se.Error()))
				return 1
			}
			L.Push(lua.LString("status error"))
			return 1
		}))
		L.G.Registry.RawSetString(statusMTKey, mt)
	}
	ud := L.NewUserData()
	ud.Value, ud.Metatable = e, mt
	L.Error(ud, 0)
}

// StatusErrorOf returns the StatusError a Lua error was raised with, or nil.
func StatusErrorOf(v lua.LValue) *StatusError {
	if ud, ok := v.(*lua.LUserData); ok {
		if se, ok := ud.Value.(*StatusError); ok {
			return se
		}
	}
	return nil
}
