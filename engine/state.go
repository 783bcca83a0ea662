package engine

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// state is one Lua state with the script loaded. It serves one request at
// a time; the pool hands it out.
type state struct {
	e  *Engine
	L  *lua.LState
	id int

	reg      registry         // what the script registered in this state
	handlers []*lua.LFunction // by route index; shared router order
	mws      []middleware

	limit   limitCtx       // the per-request time limit, as the VM's context
	jsonBuf []byte         // reused by json responses
	rf      responseFields // reused by respondTable
	x       reqCtx         // the request being served
	reqMT   *lua.LTable
	lazyMT  [lazyKinds]*lua.LTable

	// Per-state constants, made once so requests do not box them again.
	methods  map[string]lua.LValue
	fnJSON   *lua.LFunction
	fnForm   *lua.LFunction
	fnCookie *lua.LFunction
	fnHeader *lua.LFunction
	fnHVals  *lua.LFunction
	fnQVals  *lua.LFunction
	fnFVals  *lua.LFunction
}

// registry is what a script registered while it loaded.
type registry struct {
	loading  bool
	routes   []regRoute
	mws      []middleware
	notFound *lua.LFunction
	onError  *lua.LFunction
	mounts   []mount
}

type regRoute struct {
	method, pattern, where string
	fn                     *lua.LFunction
}

type middleware struct {
	prefix string
	fn     *lua.LFunction
	where  string
}

// libraries route authors expect. os and io are opened, then trimmed of
// what would take the server down (see trimOS).
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

// newState builds a state: libraries, luaserve modules, the script run once
// (registering its routes), and the globals locked.
func (e *Engine) newState(id int) (*state, error) {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       200,
		RegistrySize:        1024,
		RegistryMaxSize:     1024 * 256,
		RegistryGrowStep:    1024,
		MinimizeStackMemory: true,
	})
	st := &state{e: e, L: L, id: id}
	e.track(st, true)
	ok := false
	defer func() {
		if !ok {
			e.track(st, false)
			L.Close()
		}
	}()
	for _, lib := range libraries {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		if err := L.PCall(1, 0, nil); err != nil {
			return nil, fmt.Errorf("open %s: %w", lib.name, err)
		}
	}
	st.trimOS()
	st.installPairs()
	st.installPrint()
	st.installModules()
	st.initRequestMeta()
	st.initLazy()

	st.limit.done = make(chan struct{})
	L.SetContext(&st.limit)

	// Run the script: it registers routes through require("luaserve"). An
	// endless loop here would hang start-up, so loading has a limit too.
	st.reg.loading = true
	st.limit.arm(max(e.timeout, loadTimeLimit))
	L.Push(L.NewFunctionFromProto(e.scriptProto))
	err := L.PCall(0, 0, nil)
	fired := !st.limit.disarm()
	st.reg.loading = false
	if fired {
		return nil, &LoadError{File: e.cfg.Script, Msg: fmt.Sprintf("loading took longer than %v (an endless loop at the top level?)", max(e.timeout, loadTimeLimit))}
	}
	if err != nil {
		return nil, loadErrorFrom(err)
	}
	lockGlobals(L)
	L.SetTop(0)
	ok = true
	return st, nil
}

// loadTimeLimit bounds running the script at start-up (or the request time
// limit, when that is longer).
var loadTimeLimit = 30 * time.Second

// lockGlobals makes assigning an undeclared global an error once the script
// has loaded: in a route it is almost always a missing "local", and it would
// silently leak data between the requests one state serves. The metamethod
// is Go, so that the error names the script line doing the assignment.
func lockGlobals(L *lua.LState) {
	mt := L.NewTable()
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("assignment to undeclared global '%s'", L.ToStringMeta(L.Get(2)).String())
		return 0
	}))
	L.SetMetatable(L.G.Global, mt)
}

// loadErrorFrom turns a Lua error raised while loading into a LoadError with
// the script's file and line.
func loadErrorFrom(err error) error {
	msg := err.Error()
	if ae, ok := err.(*lua.ApiError); ok {
		msg = lua.LVAsString(ae.Object)
		if msg == "" {
			msg = ae.Object.String()
		}
	}
	if le := parseWhere(msg); le != nil {
		return le
	}
	return &LoadError{Msg: msg}
}

// parseWhere splits a Lua error message "file:line: msg" into a LoadError.
func parseWhere(msg string) *LoadError {
	first, _, _ := strings.Cut(msg, "\n")
	i := strings.Index(first, ".lua:")
	if i < 0 {
		return nil
	}
	file := first[:i+4]
	rest := first[i+5:]
	j := strings.IndexByte(rest, ':')
	if j <= 0 {
		return nil
	}
	line := 0
	for _, c := range rest[:j] {
		if c < '0' || c > '9' {
			return nil
		}
		line = line*10 + int(c-'0')
	}
	return &LoadError{File: file, Line: line, Msg: strings.TrimSpace(rest[j+1:])}
}

// trimOS removes os.exit (it would stop the server) and the functions that
// change the process for every state at once.
func (st *state) trimOS() {
	osmod, ok := st.L.GetGlobal("os").(*lua.LTable)
	if !ok {
		return
	}
	for _, name := range []string{"exit", "setlocale"} {
		osmod.RawSetString(name, lua.LNil)
	}
}

// installPairs makes pairs honour a __pairs metamethod (as Lua 5.2 does), so
// that pairs(req) lists the request's lazily built fields too.
func (st *state) installPairs() {
	L := st.L
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

// installPrint sends print to the server log instead of stdout.
func (st *state) installPrint() {
	st.L.SetGlobal("print", st.L.NewFunction(func(L *lua.LState) int {
		n := L.GetTop()
		parts := make([]string, n)
		for i := 1; i <= n; i++ {
			parts[i-1] = L.ToStringMeta(L.Get(i)).String()
		}
		st.e.log.Info(strings.Join(parts, "\t"), "source", "print", "where", where(L))
		return 0
	}))
}

// where returns "file:line" of the Lua code calling the current Go function.
func where(L *lua.LState) string {
	return strings.TrimSuffix(L.Where(1), ":")
}
