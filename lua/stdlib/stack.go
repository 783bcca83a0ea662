package stdlib

import lua "github.com/yuin/gopher-lua"

// CallStackSize is how many calls may be nested in a state: Lua functions,
// and Go functions such as pcall, each take one (so recursion through pcall
// reaches half as deep). Past it the call fails with "stack overflow", an
// error like any other. The frames are allocated with the state, about
// 80 bytes each (400 KB a state); the registry (the values on the stack)
// grows as needed up to RegistryMaxSize.
const CallStackSize = 5000

// CoroutineStackSize is the call stack of a coroutine, which is a state of
// its own: a fixed array allocated by coroutine.create, so it is kept
// small (16 KB) for code that makes many; recursion deep inside a
// coroutine fails sooner than in a route.
const CoroutineStackSize = 200

// RegistryMaxSize bounds the registry, the stack of Lua values all the
// nested calls of a state share, at 16 bytes a slot (4 MiB). Deep recursion
// needs a few slots per level (a function's locals and temporaries);
// past it a call fails with "registry overflow". The registry never
// shrinks, so a state that once recursed deeply keeps its size.
const RegistryMaxSize = 256 * 1024

// stateOptions are the gopher-lua options of every state. The call stack
// is a fixed array: gopher-lua's growing one (MinimizeStackMemory) never
// reports itself full, so an overflow is a Go panic in the middle of a
// call ("lua callstack overflow"), and recursion through pcall that
// overflows repeatedly then fails with "index out of range" panics inside
// the VM (seen at 200 frames too); its segments go to a pool that every
// state shares.
var stateOptions = lua.Options{
	SkipOpenLibs:     true,
	CallStackSize:    CallStackSize,
	RegistrySize:     1024,
	RegistryMaxSize:  RegistryMaxSize,
	RegistryGrowStep: 1024,
}

// installPCall replaces pcall with one that does not build a traceback
// it throws away: gopher-lua's makes one for every error it catches, in
// time that grows with the square of the stack's depth, so recursion
// through pcall down to the limit took minutes, and went on past the time
// limit, which stops Lua only between instructions. It calls with a message
// handler instead (gopher-lua builds no traceback then), which returns the
// error as it is. The error value and the rest are as gopher-lua's pcall
// has them.
func installPCall(L *lua.LState) {
	handler := L.NewFunction(pcallHandler)
	L.SetGlobal("pcall", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		if v.Type() != lua.LTFunction && L.GetMetaField(v, "__call").Type() != lua.LTFunction {
			L.Push(lua.LFalse)
			L.Push(lua.LString("attempt to call a " + v.Type().String() + " value"))
			return 2
		}
		if err := L.PCall(L.GetTop()-1, lua.MultRet, handler); err != nil {
			L.Push(lua.LFalse)
			if ae, ok := err.(*lua.ApiError); ok {
				L.Push(ae.Object)
			} else {
				L.Push(lua.LString(err.Error()))
			}
			return 2
		}
		L.Insert(lua.LTrue, 1)
		return L.GetTop()
	}))
}

// pcallHandler is pcall's message handler: it returns the error as it is,
// after closing the open upvalues, as gopher-lua does when it catches an
// error without a handler (and skips with one: a closure made inside the
// failed call would later read whatever reuses its variables' slots). It
// runs before the failed call's variables are cleared, on top of them. The
// one way gopher-lua offers to close them is raising an error; this one's
// panic carries a placeholder traceback, so that PCall builds none.
func pcallHandler(L *lua.LState) int {
	L.Push(L.NewFunction(func(L *lua.LState) int {
		L.Panic = func(L *lua.LState) {
			panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: "(upvalues closed)"})
		}
		L.Error(lua.LNil, 0) // closes the upvalues, then calls L.Panic
		return 0
	}))
	L.PCall(0, 0, nil) // its error is the closing itself
	L.SetTop(1)
	return 1
}
