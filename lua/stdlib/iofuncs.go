package stdlib

import (
	"log/slog"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// installIO shapes L's io and os libraries for a state that shares its
// process with the server and every other state: os.execute's commands
// write to the log (execute.go), the sandbox when o asks for it
// (sandbox.go), then the state's own standard files (stdio.go), whose io
// functions open files through what the sandbox left.
func installIO(L *lua.LState, h Host, o Options) {
	L.GetGlobal("os").(*lua.LTable).RawSetString("execute", L.NewFunction(execute(h)))
	if o.Sandbox {
		installSandbox(L, o.Roots)
	}
	installStdio(L, h)
}

// stdio is a state's default input and output (io.input(), io.output()),
// which the io functions without a file use.
type stdio struct {
	in, out lua.LValue // a stdFile's userdata or a gopher-lua file
	open    lua.LValue // io.open, guarded (guardStdio)
	lines   lua.LValue // io.lines for a path, guarded
	typ     lua.LValue // gopher-lua's io.type
	fileMT  lua.LValue // gopher-lua's file metatable
}

// installStdio gives L its own io.stdout, io.stderr and io.stdin and
// replaces every function that reached the process's: the io functions on
// the default files, dofile() and loadfile() without a file name (they read
// the process's input), and _printregs (it prints to stderr).
func installStdio(L *lua.LState, h Host) {
	iomod := L.GetGlobal("io").(*lua.LTable)
	mt := L.NewTypeMetatable(stdFileClass)
	mt.RawSetString("__index", L.SetFuncs(L.NewTable(), stdFileMethods))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("file (" + checkStd(L).name + ")"))
		return 1
	}))
	for _, f := range []*stdFile{
		{name: "stdout", out: &lineLog{h: h, level: slog.LevelInfo, source: "io.stdout"}},
		{name: "stderr", out: &lineLog{h: h, level: slog.LevelWarn, source: "io.stderr"}},
		{name: "stdin"},
	} {
		ud := L.NewUserData()
		ud.Value = f
		L.SetMetatable(ud, mt)
		iomod.RawSetString(f.name, ud)
	}
	s := &stdio{
		in: iomod.RawGetString("stdin"), out: iomod.RawGetString("stdout"),
		open:   guardStdio(L, "io.open", iomod.RawGetString("open")),
		lines:  guardStdio(L, "io.lines", iomod.RawGetString("lines")),
		typ:    iomod.RawGetString("type"),
		fileMT: L.GetTypeMetatable("FILE*"),
	}
	iomod.RawSetString("open", s.open)
	L.SetFuncs(iomod, s.funcs())
	g := L.G.Global
	dofile, loadfile := guardStdio(L, "dofile", g.RawGetString("dofile")), guardStdio(L, "loadfile", g.RawGetString("loadfile"))
	g.RawSetString("dofile", L.NewFunction(func(L *lua.LState) int {
		if noPath(L) {
			return 0 // the chunk on standard input: empty
		}
		return callArgs(L, dofile, 1)
	}))
	g.RawSetString("loadfile", L.NewFunction(func(L *lua.LState) int {
		if noPath(L) {
			fn, _ := L.Load(strings.NewReader(""), "=stdin") // an empty chunk compiles
			L.Push(fn)
			return 1
		}
		return callArgs(L, loadfile, 1)
	}))
	g.RawSetString("_printregs", lua.LNil)
}

// noPath reports whether dofile or loadfile was called without a file
// name, which makes gopher-lua read the process's standard input.
func noPath(L *lua.LState) bool {
	v := L.Get(1)
	return v == lua.LNil || v == lua.LString("")
}

func (s *stdio) funcs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"write":  func(L *lua.LState) int { return s.call(L, s.out, "write", 1) },
		"read":   func(L *lua.LState) int { return s.call(L, s.in, "read", 1) },
		"flush":  func(L *lua.LState) int { return s.call(L, s.out, "flush", L.GetTop()+1) },
		"input":  func(L *lua.LState) int { return s.setDefault(L, &s.in, "r") },
		"output": func(L *lua.LState) int { return s.setDefault(L, &s.out, "w") },
		"lines": func(L *lua.LState) int {
			if L.GetTop() == 0 {
				return s.call(L, s.in, "lines", 1)
			}
			return callArgs(L, s.lines, 1)
		},
		"close": func(L *lua.LState) int {
			if L.GetTop() == 0 {
				return s.call(L, s.out, "close", 1)
			}
			if !s.isFile(L.Get(1)) {
				L.ArgError(1, "file expected")
			}
			return s.call(L, L.Get(1), "close", 2)
		},
		"type": func(L *lua.LState) int {
			if asStd(L.Get(1)) != nil {
				L.Push(lua.LString("file"))
				return 1
			}
			return callArgs(L, s.typ, 1)
		},
	}
}

// call runs f:method(...) with the arguments from index first on.
func (s *stdio) call(L *lua.LState, f lua.LValue, method string, first int) int {
	if sf := asStd(f); sf != nil {
		switch method {
		case "write":
			return sf.write(L, first)
		case "read":
			return sf.read(L, first)
		case "lines":
			return sf.lines(L)
		case "close":
			return sf.close(L)
		}
		return sf.flush(L)
	}
	return callArgs(L, L.GetField(f, method), first, f)
}

// setDefault implements io.input and io.output: with a file name it opens
// the file in mode (through the guarded io.open), with a file it takes it;
// either way it returns the default file.
func (s *stdio) setDefault(L *lua.LState, slot *lua.LValue, mode string) int {
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LString:
		L.Push(s.open)
		L.Push(v)
		L.Push(lua.LString(mode))
		L.Call(2, 2)
		f, msg := L.Get(-2), L.Get(-1)
		L.Pop(2)
		if f == lua.LNil {
			L.RaiseError("%s", lua.LVAsString(msg))
		}
		*slot = f
	default:
		if !s.isFile(v) {
			L.ArgError(1, "file or file name expected, got "+v.Type().String())
		}
		*slot = v
	}
	L.Push(*slot)
	return 1
}

// isFile reports whether v is a file: a standard one or gopher-lua's.
func (s *stdio) isFile(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	return ok && (asStd(ud) != nil || ud.Metatable == s.fileMT)
}

// guardStdio wraps fn, whose first argument is a path, to refuse the
// process's standard files (isProcessStdio).
func guardStdio(L *lua.LState, name string, fn lua.LValue) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		if v := L.Get(1); v.Type() == lua.LTString || v.Type() == lua.LTNumber {
			if p := lua.LVAsString(v); isProcessStdio(p) {
				L.RaiseError("%s: %q is the process's standard input, output or error; use io.stdin, io.stdout or io.stderr", name, p)
			}
		}
		return callArgs(L, fn, 1)
	})
}

// callArgs calls fn with pre, then the running Go function's arguments
// from index first on, and returns all fn returns.
func callArgs(L *lua.LState, fn lua.LValue, first int, pre ...lua.LValue) int {
	top := L.GetTop()
	L.Push(fn)
	for _, v := range pre {
		L.Push(v)
	}
	for i := first; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(len(pre)+max(0, top-first+1), lua.MultRet)
	return L.GetTop() - top
}
