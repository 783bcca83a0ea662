package stdlib

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The debug library luaserve gives scripts is the part of Lua 5.1's that
// reads (tracebacks, what a function or stack level is) and nothing that
// writes into other functions' variables, since that would let a library
// reach into the engine's own Lua code:
//
//	traceback([message [, level]])    message unchanged when it is not a string
//	getinfo(function | level [, what]) with Lua 5.1's fields for "nSlfu"
//	getmetatable(v), setmetatable(v, mt)   honouring __metatable protection;
//	    for a non-table only the string metatable, set to nil or back
//	gethook() -> nil, "", 0;  sethook() clears (there is no hook);
//	    sethook(fn, ...) raises an error
//
// Left out: getlocal, setlocal, getupvalue, setupvalue, upvaluejoin,
// getregistry, getfenv and setfenv (the base library's remain), debug.debug.
var debugFuncs = map[string]lua.LGFunction{
	"traceback":    debugTraceback,
	"getinfo":      debugGetInfo,
	"getmetatable": debugGetMetatable,
	"gethook":      debugGetHook,
	"sethook":      debugSetHook,
}

// installDebug opens the debug subset as the global debug and
// package.loaded.debug.
func installDebug(L *lua.LState) {
	t := L.SetFuncs(L.CreateTable(0, len(debugFuncs)+1), debugFuncs)
	strMT := L.GetMetatable(lua.LString(""))
	t.RawSetString("setmetatable", L.NewFunction(func(L *lua.LState) int { return debugSetMetatable(L, strMT) }))
	L.SetGlobal("debug", t)
	pkg := L.GetGlobal("package").(*lua.LTable)
	pkg.RawGetString("loaded").(*lua.LTable).RawSetString("debug", t)
}

// debugTraceback is Lua 5.1's: a message that is neither a string nor nil
// (an error table) is returned as it is, so xpcall(f, debug.traceback)
// keeps structured errors.
func debugTraceback(L *lua.LState) int {
	if th, ok := L.Get(1).(*lua.LState); ok {
		L.Push(lua.LString(traceback(th, L.OptString(2, ""), 0)))
		return 1
	}
	msg := L.Get(1)
	if _, ok := msg.(lua.LString); !ok && msg != lua.LNil {
		if _, isNum := msg.(lua.LNumber); !isNum {
			L.SetTop(1)
			return 1
		}
	}
	L.Push(lua.LString(traceback(L, lua.LVAsString(msg), L.OptInt(2, 1))))
	return 1
}

// traceback is msg, then "stack traceback:" and the frames from level up:
// the first and last ten of a deep stack. gopher-lua's own costs the
// square of the depth; this walks the stack a few dozen times.
func traceback(L *lua.LState, msg string, level int) string {
	var b strings.Builder
	if msg != "" {
		b.WriteString(msg + "\n")
	}
	b.WriteString("stack traceback:")
	total := stackDepth(L, level)
	if total == 0 {
		return b.String()
	}
	// gopher-lua answers a level inside a run of tail calls with the
	// bottom frame: those are shown as Lua 5.1 shows them.
	bottom, _ := L.GetStack(level + total - 1)
	bottomFrame := *bottom
	const head, tail = 10, 11
	inTail := false
	for i := 0; i < total; i++ {
		if i == head && total > head+tail+1 {
			b.WriteString("\n\t...")
			i = total - tail
		}
		dbg, ok := L.GetStack(level + i)
		if !ok {
			break
		}
		if i < total-1 && *dbg == bottomFrame {
			if !inTail {
				b.WriteString("\n\t(tail call): ?")
			}
			inTail = true
			continue
		}
		inTail = false
		L.GetInfo("Sln", dbg, lua.LNil)
		b.WriteString("\n\t" + frameLine(dbg))
	}
	return b.String()
}

// stackDepth is how many levels from level up exist, found by doubling and
// halving so that a deep stack costs a few walks, not one per frame.
func stackDepth(L *lua.LState, level int) int {
	if _, ok := L.GetStack(level); !ok {
		return 0
	}
	hi := 1
	for {
		if _, ok := L.GetStack(level + hi); !ok {
			break
		}
		hi *= 2
	}
	lo := hi / 2 // exists (or 0)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if _, ok := L.GetStack(level + mid); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// frameLine is one traceback line: "file:line: in function 'name'".
func frameLine(dbg *lua.Debug) string {
	where := "[G]:"
	if dbg.What != "G" {
		where = dbg.Source + ":"
		if dbg.CurrentLine > 0 {
			where += itoa(dbg.CurrentLine) + ":"
		}
	}
	switch {
	case dbg.What == "main" && dbg.LineDefined == 0:
		return where + " in main chunk"
	case dbg.Name != "":
		return where + " in function '" + dbg.Name + "'"
	case dbg.What == "G":
		return where + " ?"
	}
	return where + " in function <" + dbg.Source + ":" + itoa(dbg.LineDefined) + ">"
}

func itoa(n int) string { return lua.LNumber(n).String() }

// debugGetInfo is Lua 5.1's debug.getinfo: by function or stack level
// (1 is the caller), the fields of what ("flnSu" by default). source is
// "@file" for a file, as in Lua, short_src the name alone; what is "C" for
// a function written in Go.
func debugGetInfo(L *lua.LState) int {
	what := strings.ReplaceAll(L.OptString(2, "flnSu"), "L", "") // no activelines
	var dbg *lua.Debug
	var fn lua.LValue
	var err error
	switch v := L.Get(1).(type) {
	case *lua.LFunction:
		dbg = &lua.Debug{}
		fn, err = L.GetInfo(">"+strings.ReplaceAll(what, "n", ""), dbg, v)
	case lua.LNumber:
		var ok bool
		if dbg, ok = L.GetStack(int(v)); !ok {
			L.Push(lua.LNil)
			return 1
		}
		fn, err = L.GetInfo(what, dbg, lua.LNil)
	default:
		L.ArgError(1, "function or level expected")
	}
	if err != nil {
		L.ArgError(2, "invalid option")
	}
	t := L.CreateTable(0, 10)
	if strings.ContainsRune(what, 'S') {
		src, short := dbg.Source, dbg.Source
		if dbg.What == "G" {
			dbg.What, src, short = "C", "=[C]", "[C]"
		} else if src != "" && src[0] != '<' && src[0] != '=' {
			src = "@" + src
		}
		if dbg.What == "main" && dbg.LineDefined > 0 {
			dbg.What = "Lua" // a function the engine called: the first frame, not a chunk
		}
		t.RawSetString("what", lua.LString(dbg.What))
		t.RawSetString("source", lua.LString(src))
		t.RawSetString("short_src", lua.LString(short))
		t.RawSetString("linedefined", lua.LNumber(dbg.LineDefined))
		t.RawSetString("lastlinedefined", lua.LNumber(dbg.LastLineDefined))
	}
	if strings.ContainsRune(what, 'l') {
		t.RawSetString("currentline", lua.LNumber(dbg.CurrentLine))
	}
	if strings.ContainsRune(what, 'u') {
		t.RawSetString("nups", lua.LNumber(dbg.NUpvalues))
	}
	if strings.ContainsRune(what, 'n') && dbg.Name != "" {
		t.RawSetString("name", lua.LString(dbg.Name))
		t.RawSetString("namewhat", lua.LString("")) // gopher-lua does not tell
	}
	if strings.ContainsRune(what, 'f') {
		t.RawSetString("func", fn)
	}
	L.Push(t)
	return 1
}

// debugGetMetatable is getmetatable: a protected metatable stays hidden.
func debugGetMetatable(L *lua.LState) int {
	L.Push(L.GetMetatable(L.CheckAny(1))) // the __metatable field when there is one
	return 1
}

// debugSetMetatable sets a table's metatable as setmetatable does, or
// takes the string methods away and gives them back (strMT), as
// pl.pretty does around reading untrusted data; other types' metatables
// are shared by all of the state's code and stay as they are.
func debugSetMetatable(L *lua.LState, strMT lua.LValue) int {
	v := L.Get(1)
	L.CheckTypes(2, lua.LTNil, lua.LTTable)
	mt := L.Get(2)
	switch v.(type) {
	case *lua.LTable:
		if L.GetMetaField(v, "__metatable") != lua.LNil {
			L.RaiseError("cannot change a protected metatable")
		}
	case lua.LString:
		if mt != lua.LNil && mt != strMT {
			L.RaiseError("debug.setmetatable: the string metatable can only be removed or restored")
		}
	default:
		L.RaiseError("debug.setmetatable: not available for a %s value in luaserve", v.Type().String())
	}
	L.SetMetatable(v, mt)
	L.SetTop(1)
	return 1
}

// debugGetHook reports that no hook is set (Lua 5.1: hook, mask, count).
func debugGetHook(L *lua.LState) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(""))
	L.Push(lua.LNumber(0))
	return 3
}

// debugSetHook accepts only clearing the hook: a hook would run in the
// middle of every request's code, and gopher-lua has none to set.
func debugSetHook(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LState); ok {
		L.Remove(1)
	}
	if L.Get(1) != lua.LNil {
		L.RaiseError("debug.sethook: hooks are not available in luaserve")
	}
	return 0
}
