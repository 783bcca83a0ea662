package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/fileserver"
	"github.com/luaserve/luaserve/httpcore"
)

// Config says what an Engine runs and how.
type Config struct {
	// Script is the path of the routes file. With Source set, Script only
	// names it in messages and anchors relative paths.
	Script string
	Source []byte
	// Workers is the number of Lua states, hence of requests running Lua at
	// once; zero means DefaultWorkers().
	Workers int
	// Timeout bounds one request's Lua run (and its wait for a free state);
	// past it the request is answered 504. Zero means 30s; negative, none.
	Timeout time.Duration
	// Root is the folder file helpers serve from; "" means the script's
	// folder. Files, when set, is used instead (the embedded example).
	Root  string
	Files FileSystem
	// Dev shows tracebacks in error responses and warns about response
	// tables with unknown keys.
	Dev bool
	// Log receives route errors and script logs; nil means slog.Default().
	Log *slog.Logger
	// Store is the shared store; nil means a new MemoryStore.
	Store Store
}

// DefaultWorkers is four Lua states per CPU, at least eight: enough that a
// route blocked on I/O or time.sleep does not stall the others.
func DefaultWorkers() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// DefaultTimeout is the per-request time limit when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Engine runs a Lua script's routes behind httpcore. It is an
// httpcore.Handler.
type Engine struct {
	cfg       Config
	log       *slog.Logger
	store     Store
	scriptDir string
	timeout   time.Duration

	compiler    *compiler
	scriptProto *lua.FunctionProto
	stdlib      map[string]*lua.FunctionProto

	router   router
	mws      []middleware // from the first state, for prefixes and places
	hasNF    bool
	hasOnErr bool
	mounts   []*mountSpec
	files    *fileserver.Dir // the file helper's root

	pool    *statePool
	nextID  int
	closing chan struct{}
	liveMu  sync.Mutex
	live    map[*state]struct{} // every state, for the watchdog
}

// New compiles the script, builds every Lua state and runs the script in
// each, so that a broken script fails here, before anything listens. Errors
// are *LoadError values naming the file and line.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, log: cfg.Log, store: cfg.Store, compiler: newCompiler(), closing: make(chan struct{}),
		live: map[*state]struct{}{}}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.store == nil {
		e.store = NewMemoryStore()
	}
	if cfg.Workers <= 0 {
		e.cfg.Workers = DefaultWorkers()
	}
	switch {
	case cfg.Timeout == 0:
		e.timeout = DefaultTimeout
	case cfg.Timeout > 0:
		e.timeout = cfg.Timeout
	}
	e.scriptDir = filepath.Dir(cfg.Script)
	if abs, err := filepath.Abs(e.scriptDir); err == nil {
		e.scriptDir = abs
	}
	var err error
	if e.stdlib, err = stdlibProtos(); err != nil {
		return nil, fmt.Errorf("luaserve stdlib: %w", err)
	}
	if cfg.Source != nil {
		e.scriptProto, err = compile(cfg.Source, cfg.Script)
	} else {
		e.scriptProto, err = e.compiler.file(cfg.Script)
	}
	if err != nil {
		return nil, err
	}
	if err := e.initFiles(); err != nil {
		return nil, err
	}
	e.pool = newStatePool(e.cfg.Workers)
	go e.watchdog()
	for i := 0; i < e.cfg.Workers; i++ {
		st, err := e.newState(i)
		if err == nil {
			err = e.adopt(st, i == 0)
		}
		if err != nil {
			e.Close()
			return nil, err
		}
		e.pool.put(st)
	}
	e.nextID = e.cfg.Workers
	return e, nil
}

// adopt takes a freshly loaded state's registrations: the first builds the
// shared router; the others must have registered the same routes.
func (e *Engine) adopt(st *state, first bool) error {
	reg := &st.reg
	if first {
		for i, r := range reg.routes {
			rt := &route{method: r.method, pattern: r.pattern, index: i, where: r.where}
			if err := e.router.add(rt); err != nil {
				if le := parseWhere(r.where + ": x"); le != nil {
					return &LoadError{File: le.File, Line: le.Line, Msg: err.Error()}
				}
				return &LoadError{Msg: err.Error()}
			}
		}
		e.mws = reg.mws
		e.hasNF, e.hasOnErr = reg.notFound != nil, reg.onError != nil
		for _, m := range reg.mounts {
			spec, err := e.newMount(m)
			if err != nil {
				return err
			}
			e.mounts = append(e.mounts, spec)
		}
	} else if !sameRegistrations(e, reg) {
		return &LoadError{File: e.cfg.Script, Msg: "the script registered different routes in another Lua state; " +
			"registration must not depend on time, randomness or shared data"}
	}
	st.handlers = make([]*lua.LFunction, len(reg.routes))
	for i, r := range reg.routes {
		st.handlers[i] = r.fn
	}
	st.mws = reg.mws
	return nil
}

func sameRegistrations(e *Engine, reg *registry) bool {
	if len(reg.routes) != len(e.router.routes) || len(reg.mws) != len(e.mws) || len(reg.mounts) != len(e.mounts) ||
		(reg.notFound != nil) != e.hasNF || (reg.onError != nil) != e.hasOnErr {
		return false
	}
	for i, r := range reg.routes {
		if r.method != e.router.routes[i].method || r.pattern != e.router.routes[i].pattern {
			return false
		}
	}
	return true
}

// RouteInfo describes one registered route, for "luaserve routes".
type RouteInfo struct {
	Method, Pattern, Where string
}

// Routes lists the routes in registration order; method "*" is any.
func (e *Engine) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(e.router.routes)+len(e.mounts))
	for _, r := range e.router.routes {
		out = append(out, RouteInfo{r.method, r.pattern, r.where})
	}
	for _, m := range e.mounts {
		out = append(out, RouteInfo{"GET", m.prefix + "*", m.where})
	}
	return out
}

// Files lists the Lua files the script loaded (itself and its modules).
func (e *Engine) Files() []string { return e.compiler.files() }

// Close closes the Lua states: the idle ones now, the others as their
// requests finish.
func (e *Engine) Close() {
	select {
	case <-e.closing:
		return
	default:
		close(e.closing)
	}
	e.closeFiles()
	if e.pool == nil {
		return
	}
	for _, st := range e.pool.close() {
		st.close()
	}
}

func (st *state) close() {
	st.e.track(st, false)
	st.L.Close()
}

// acquire takes a free state, waiting at most the time limit.
func (e *Engine) acquire() *state { return e.pool.get(e.timeout) }

// release returns a state to the pool, or replaces it when it must not be
// reused (its time limit fired, or Go code panicked inside it).
func (e *Engine) release(st *state, dirty bool) {
	if !dirty {
		if !e.pool.put(st) {
			st.close() // the engine closed meanwhile
		}
		return
	}
	st.close()
	go e.replace(st.id)
}

// replace builds a new state in the background; the pool is one state short
// meanwhile.
func (e *Engine) replace(id int) {
	for attempt := 0; ; attempt++ {
		st, err := e.newState(id)
		if err == nil {
			err = e.adopt(st, false)
		}
		if err == nil {
			if !e.pool.put(st) {
				st.close()
			}
			return
		}
		e.log.Error("luaserve: rebuilding a Lua state failed", "err", err)
		select {
		case <-e.closing:
			return
		case <-time.After(time.Duration(min(attempt+1, 10)) * time.Second):
		}
	}
}

// ServeHTTP routes the request and runs its Lua handler.
func (e *Engine) ServeHTTP(w *httpcore.ResponseWriter, r *httpcore.Request) {
	if e.serveMount(w, r) {
		return
	}
	st := e.acquire()
	if st == nil {
		w.Header().Set("Retry-After", "1")
		writeStatus(w, 503, "503 Service Unavailable: all Lua states are busy\n")
		return
	}
	released := false
	defer func() {
		if !released { // a Go panic went through: never reuse this state
			e.release(st, true)
		}
	}()
	dirty, abort, send := st.serve(w, r)
	released = true
	e.release(st, dirty)
	if send.o != nil {
		if err := send.o.Serve(w, r, &send.fo); err != nil && w.Committed() {
			abort = true // the file failed mid-way: only closing can say so
		}
	}
	if abort {
		panic(httpcore.ErrAbortHandler)
	}
}

// serve handles one request in this state. It reports whether the state
// must be replaced, whether the response must be abandoned (it failed after
// being partly sent), and a file the caller sends once the state is back.
func (st *state) serve(w *httpcore.ResponseWriter, r *httpcore.Request) (dirty, abort bool, send fileSend) {
	e := st.e
	x := &st.x
	x.r, x.w = r, w
	defer func() {
		st.x.reset()
		st.L.SetTop(0)
	}()

	method := methodString(r.Method)
	var m match
	if n := e.router.exact[string(r.Path)]; n != nil {
		if rt := n.pick(method); rt != nil {
			m.route, m.pathMatched = rt, true
		}
	}
	if m.route == nil {
		path := x.pathString()
		e.router.lookup(method, path, x.params[:0], &m)
		x.spanOn = path
		x.nparams = copy(x.params[:], m.params)
	}
	x.route = m.route
	req := st.newRequestTable()

	st.limit.arm(e.timeout)
	res, err := st.run(req, &m, method)
	if err == nil {
		if rerr := st.respond(res); rerr != nil {
			err = &ScriptError{Route: st.routeName(), Err: rerr}
		}
	}
	if !st.limit.disarm() {
		// A limit that fired inside Lua has raised already (err says so);
		// one that fired just after the route returned spoils only the
		// state, not the response.
		dirty = true
	}
	if err != nil {
		if x.send.o != nil {
			x.send.o.Close()
			x.send = fileSend{}
		}
		d, a := st.fail(err)
		return dirty || d, a, fileSend{}
	}
	return dirty, false, x.send
}

// run calls middleware, then the route (or the not-found hook), and
// returns what answered.
func (st *state) run(req *lua.LTable, m *match, method string) (lua.LValue, error) {
	x := &st.x
	for _, mw := range st.mws {
		if mw.prefix != "" && !strings.HasPrefix(x.pathString(), mw.prefix) {
			continue
		}
		v, err := st.call(mw.fn, req)
		if err != nil || v != lua.LNil {
			return v, err
		}
	}
	switch {
	case m.route != nil:
		return st.call(st.handlers[m.route.index], req)
	case m.pathMatched && method == "OPTIONS":
		st.x.w.Header().Set("Allow", st.e.router.allowed(x.pathString()))
		return lua.LNumber(204), nil
	case m.pathMatched:
		if allow := st.e.router.allowed(x.pathString()); allow != "" {
			st.x.w.Header().Set("Allow", allow)
		}
		return lua.LNumber(405), nil
	case st.reg.notFound != nil:
		return st.call(st.reg.notFound, req)
	}
	return lua.LNumber(404), nil
}

// call runs fn(arg) protected and returns its first result.
func (st *state) call(fn *lua.LFunction, arg lua.LValue) (lua.LValue, error) {
	L := st.L
	L.Push(fn)
	L.Push(arg)
	if err := L.PCall(1, 1, nil); err != nil {
		return nil, &ScriptError{Route: st.routeName(), Err: err}
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

func (st *state) routeName() string {
	if r := st.x.route; r != nil {
		m := r.method
		if m == "*" {
			m = "ANY"
		}
		return m + " " + r.pattern
	}
	return "(no route)"
}

// ScriptError is a failure inside a route: a Lua runtime error (Err is the
// *lua.ApiError with its traceback) or a response the server cannot send.
type ScriptError struct {
	Route string
	Err   error
}

func (e *ScriptError) Error() string { return e.Route + ": " + errorMessage(e.Err) }
func (e *ScriptError) Unwrap() error { return e.Err }

// errorMessage is the Lua error's message, "file:line: text".
func errorMessage(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		return lua.LVAsString(ae.Object)
	}
	return err.Error()
}

func traceback(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		return ae.StackTrace
	}
	return ""
}

// fail answers a request whose route failed: the on_error hook if the
// script has one, else 500 (504 past the time limit). It reports whether
// the state must be replaced and whether the response must be abandoned.
func (st *state) fail(err error) (dirty, abort bool) {
	w := st.x.w
	timeout := errors.Is(err, errTimeLimit) || strings.Contains(errorMessage(err), errTimeLimit.Error())
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Type == lua.ApiErrorPanic {
		dirty = true
	}
	st.e.log.Error("luaserve: route failed", "route", st.routeName(), "method", string(st.x.r.Method),
		"target", string(st.x.r.Target), "err", errorMessage(err), "traceback", traceback(err))
	if w.Committed() {
		return dirty, true // part of a response is out: only closing says it failed
	}
	w.Reset()
	if st.reg.onError != nil && !timeout && !dirty {
		// The hook answers instead; if it fails too, the generic 500 stands.
		res, herr := st.call2(st.reg.onError, st.x.tbl, lua.LString(errorMessage(err)))
		if herr == nil {
			herr = st.respond(res)
		}
		if herr == nil {
			return dirty, false
		}
		st.e.log.Error("luaserve: on_error hook failed", "err", errorMessage(herr))
		w.Reset()
	}
	code := 500
	if timeout {
		code = 504
	}
	if st.e.cfg.Dev {
		st.e.writeDevError(w, st.x.r, code, err) // devpage.go
		return dirty, false
	}
	writeStatus(w, code, "")
	return dirty, false
}

// call2 is call with two arguments.
func (st *state) call2(fn *lua.LFunction, a, b lua.LValue) (lua.LValue, error) {
	L := st.L
	L.Push(fn)
	L.Push(a)
	L.Push(b)
	if err := L.PCall(2, 1, nil); err != nil {
		return nil, &ScriptError{Route: st.routeName(), Err: err}
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

// methodString returns the method as a string without allocating for the
// standard ones.
func methodString(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "PATCH":
		return "PATCH"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	}
	return string(b)
}
