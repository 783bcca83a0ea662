package stdlib

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Options say what a state holds beyond what every state has.
type Options struct {
	// Modules are preloaded: require(m.Name) opens m with the state's host,
	// once per state.
	Modules []Module
	// Path is package.path, the templates require("x") searches for a Lua
	// file (see SearchPath); the script may change it. Load compiles a
	// file found there; with Load nil only Modules can be required.
	Path string
	Load func(path string) (*lua.FunctionProto, error)
	// Sandbox takes away running programs and limits file access to the
	// folders in Roots (see sandbox.go); "" and missing folders are left
	// out. require still reads the folders of Path as given here.
	Sandbox bool
	Roots   []string
}

// libraries are the standard Lua libraries route authors expect. os is
// trimmed of what would take the server down (see trimOS), io and os are
// kept off the process's standard files (see installIO); debug is a
// subset (debug.go); gopher-lua's channel is left out.
var libraries = []struct {
	name string
	open lua.LGFunction
}{
	{lua.LoadLibName, lua.OpenPackage}, // first: the others register into it
	{lua.BaseLibName, lua.OpenBase},
	{lua.TabLibName, lua.OpenTable},
	{lua.StringLibName, lua.OpenString},
	{lua.MathLibName, lua.OpenMath},
	{lua.OsLibName, lua.OpenOs},
	{lua.IoLibName, lua.OpenIo},
	{lua.CoroutineLibName, lua.OpenCoroutine},
}

// NewState returns a new Lua state with the standard libraries, print,
// io.stdout and io.stderr writing to h's log, pairs honouring __pairs, a
// debug subset (debug.go), a CallStackSize-deep stack and a pcall that
// builds no traceback (stack.go), and o's modules preloaded; require
// searching o.Path (search.go); sandboxed when o says so. It is the one function
// that makes a state, for the server, "luaserve check" and "luaserve test"
// alike. The caller closes it.
func NewState(h Host, o Options) *lua.LState {
	L := lua.NewState(stateOptions)
	// gopher-lua makes a coroutine's state with its parent's Options.
	L.Options.CallStackSize = CoroutineStackSize
	for _, lib := range libraries {
		// The openers are plain Go: they cannot fail on a new state.
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	installStrings(L, h)
	trimOS(L)
	installIO(L, h, o)
	installBuilders(L, h)
	installCollectGarbage(L)
	installToNumber(L)
	installPairs(L)
	installPrint(L, h)
	installDebug(L)
	installPCall(L)
	for _, m := range o.Modules {
		open := m.Open
		L.PreloadModule(m.Name, func(L *lua.LState) int {
			L.Push(open(L, h))
			return 1
		})
	}
	installSearcher(L, o)
	return L
}

// installSearcher replaces gopher-lua's file searcher (which reads
// LUA_PATH itself) with pathSearcher over o.Path. loaders[1] stays
// package.preload's; cpath is empty: there are no C modules.
func installSearcher(L *lua.LState, o Options) {
	pkg := L.GetGlobal("package").(*lua.LTable)
	search := func(L *lua.LState) int { return 0 }
	if o.Load != nil {
		var sb *sandbox
		if o.Sandbox {
			sb = newSandbox(append(append([]string{}, o.Roots...), searchFolders(o.Path)...))
		}
		search = pathSearcher(o.Load, sb)
	}
	pkg.RawGetString("loaders").(*lua.LTable).RawSetInt(2, L.NewFunction(search))
	pkg.RawSetString("path", lua.LString(o.Path))
	pkg.RawSetString("cpath", lua.LString(""))
}

// trimOS removes os.exit (it would stop the server), os.setlocale and
// os.setenv (they change the process for every state at once).
func trimOS(L *lua.LState) {
	osmod := L.GetGlobal("os").(*lua.LTable)
	for _, name := range []string{"exit", "setlocale", "setenv"} {
		osmod.RawSetString(name, lua.LNil)
	}
}

// installPairs makes pairs honour a __pairs metamethod (as Lua 5.2 does), so
// that pairs(req) lists the request's lazily built fields too.
func installPairs(L *lua.LState) {
	raw := L.GetGlobal("pairs")
	L.SetGlobal("pairs", L.NewFunction(func(L *lua.LState) int {
		v := L.Get(1)
		if mm := L.GetMetaField(v, "__pairs"); mm != lua.LNil {
			L.Push(mm)
			L.Push(v)
			L.Call(1, 3)
			return 3
		}
		L.Push(raw)
		L.Push(v)
		L.Call(1, 3)
		return 3
	}))
}

// installPrint sends print to the server log instead of stdout, with the
// place of the call.
func installPrint(L *lua.LState, h Host) {
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		n := L.GetTop()
		parts := make([]string, n)
		for i := 1; i <= n; i++ {
			parts[i-1] = L.ToStringMeta(L.Get(i)).String()
		}
		h.Log().Info(strings.Join(parts, "\t"), "source", "print", "where", Caller(L, 1))
		return 0
	}))
}

// LockGlobals makes assigning an undeclared global an error from now on:
// in a route it is almost always a missing "local", and it would silently
// leak data between the requests one state serves. Call it once the
// script has loaded; afterwards Go code sets globals with
// L.G.Global.RawSetString (L.SetGlobal would run the metamethod outside a
// protected call). The metamethod is Go, so that the error names the
// script line doing the assignment.
func LockGlobals(L *lua.LState) {
	mt := L.NewTable()
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("assignment to undeclared global '%s'", L.ToStringMeta(L.Get(2)).String())
		return 0
	}))
	L.SetMetatable(L.G.Global, mt)
}
