package engine

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// state is one Lua state with the script loaded. It serves one request at
// a time; the pool hands it out. The engine serves requests in it
// (serve.go); the state only holds what belongs to its Lua state.
type state struct {
	L      *lua.LState
	rtArgs []lua.LValue // scratch for a realtime event's arguments
	id     int
	limit  limitCtx // the VM's context: the time limit (limit.go)
	host   host     // what its modules get (host.go)
	budget budget   // the request's memory budget (memory.go)

	// What the script registered, in the shared router's order.
	handlers []*lua.LFunction // by route index
	mws      []middleware
	notFound *lua.LFunction
	onError  *lua.LFunction
	onStatus *lua.LFunction
	after    []*lua.LFunction
	corsFn   *lua.LFunction
	res      *lua.LTable        // the after hooks' res, reused (hooks.go)
	statuses map[int]lua.LValue // boxed statuses for res.status

	req     requestTables  // request tables and their metatables (request.go)
	x       exchange       // storage for the request being served
	jsonBuf []byte         // reused by json responses
	rf      responseFields // reused by readResponseTable

	rtFuncs []*rtHandlers // by route index: app.ws and app.sse handlers
	connMT  *lua.LTable   // conn handles' metatable (realtime_lua.go)
}

// loadTimeLimit bounds running the script at start-up (or the request time
// limit, when that is longer).
var loadTimeLimit = 30 * time.Second

// newState builds a state (stdlib.NewState: the libraries and modules every
// state has), runs the script in it, which registers its routes into the
// returned registry, and locks the globals.
func (e *Engine) newState(id int) (*state, *registry, error) {
	st := &state{id: id, limit: newLimit()}
	st.x.exchangeMore = &exchangeMore{}
	st.budget.limit = e.requestMemory
	st.host = host{log: e.log, store: e.store, db: e.db, dir: e.scriptDir, hub: e.rt.hub}
	st.host.ctx.limit, st.host.ctx.req, st.host.ctx.budget = &st.limit, &st.x.r, &st.budget
	reg := &registry{loading: true, conn: e.connLookup(st)}
	mods := append(Modules(e.http), appModule(reg, e.scriptConfig()))
	L := stdlib.NewState(&st.host, stdlib.Options{Modules: mods, Path: e.luaPath, Load: e.compiler.file,
		Sandbox: e.cfg.Sandbox, Roots: []string{e.scriptDir, e.cfg.Root}})
	st.L = L
	e.track(st, true)
	ok := false
	defer func() {
		if !ok {
			st.close(e)
		}
	}()
	st.req.init(L, &st.x, &st.host.ctx)
	st.initResponseMT(L)
	st.initConnMT(L)
	uploads := e.cfg.Uploads
	if e.cfg.Sandbox && uploads.FileMemory == 0 {
		// A sandboxed script cannot open a temporary file: every file
		// comes as content (the whole body is bounded by -max-body).
		uploads.FileMemory = 1 << 62
	}
	st.req.initForms(L, uploads)
	L.SetContext(&st.limit)

	// An endless loop at the top level would hang start-up: loading has a
	// limit too.
	limit := max(e.timeout, loadTimeLimit)
	st.limit.arm(limit)
	L.Push(L.NewFunctionFromProto(e.scriptProto))
	err := L.PCall(0, 0, nil)
	fired := !st.limit.disarm()
	reg.loading = false
	if fired {
		return nil, nil, &LoadError{stdlib.Place{File: e.cfg.Script},
			fmt.Sprintf("loading took longer than %v (an endless loop at the top level?)", limit)}
	}
	if err != nil {
		return nil, nil, loadErrorFrom(err)
	}
	stdlib.LockGlobals(L)
	L.SetTop(0)
	ok = true
	return st, reg, nil
}

func (st *state) close(e *Engine) {
	e.track(st, false)
	st.L.Close()
}
