package engine

import (
	"cmp"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/fileserver"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/outbound"
	"github.com/luaserve/luaserve/store"
	"github.com/luaserve/luaserve/upload"
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
	// Store is the shared store; nil means a new store.Memory.
	Store store.Store
	// DB is the SQL database of luaserve.db, opened on first use; nil
	// means a throwaway in-memory one of this engine's own (closed with
	// it). The command shares one across the engines a reload builds.
	DB *db.Lazy
	// RequestMemory bounds what one request may allocate through the
	// built-ins that build large values (string.rep, table.concat,
	// string.format, JSON decoding); past it the route fails. Zero means
	// DefaultRequestMemory; negative, none.
	RequestMemory int64
	// MaxMemory is the process's memory limit (the command sets Go's soft
	// limit to it). When the live heap passes it, the watchdog stops the
	// request that has run the longest with a 500, one per collection.
	// Zero: no such check.
	MaxMemory int64
	// SessionSecrets are the keys of app.sessions's cookies: the first
	// seals, all open (rotation). A script with sessions needs one.
	SessionSecrets []string
	// Uploads bounds multipart forms (req:form()); zero fields take
	// upload's defaults.
	Uploads upload.Limits
	// Sandbox takes away running programs from scripts and limits their
	// file access to the script's folder and Root (stdlib.Options.Sandbox).
	Sandbox bool
	// LuaPath is searched by require after the script's folder and its
	// LuaRocks tree (stdlib.SearchPath): ";"-separated templates such as
	// "/opt/lua/?.lua", ";;" standing for the system's folders. "" means
	// the LUA_PATH environment variable, as the reference Lua reads it.
	LuaPath string
	// HTTP is the client luaserve.http calls through; share one between
	// the engines of a process (its connection pool and per-host limits).
	// Nil means a client of the engine's own, with outbound's defaults.
	HTTP *outbound.Client
	// Realtime holds the open WebSockets and event streams and the
	// publish/subscribe hub; share one between the engines of a process so
	// that connections survive reloads. Nil means one of the engine's own
	// (in-process hub), shut down with it.
	Realtime *Realtime
	// Counters keeps the engine's counts (stats.go); share one between the
	// engines a reload builds. Nil means counters of the engine's own.
	Counters *Counters
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
	store     store.Store
	db        *db.Lazy
	ownDB     bool // db is the engine's own: Close closes it
	scriptDir string
	luaPath   string // every state's initial package.path
	timeout   time.Duration

	requestMemory int64 // per request; 0 for none
	http          *outbound.Client
	ownHTTP       bool // http is the engine's: Close closes its idle connections

	compiler    *compiler
	scriptProto *lua.FunctionProto

	// Built from the first state's registrations; read-only afterwards.
	router   router
	mws      []middleware // for prefixes and places
	hasNF    bool
	hasOnErr bool
	hooks    hookSet     // what the first state registered around responses
	hooked   bool        // some hook or a CORS policy: bodies wait for them
	cors     *corsPolicy // app.cors; nil without
	reserve  chan *state // the state that answers when others cannot (hooks.go)
	sessions *sessionOptions
	mounts   []*mountSpec
	files    *fileserver.Dir // the file helper's root

	pool    *statePool
	closing chan struct{}
	liveMu  sync.Mutex
	live    map[*state]struct{} // every state, for the watchdog

	rt      *Realtime
	ownRT   bool           // rt is the engine's: Close shuts it down
	rtIndex map[string]int // realtime routes by kind and pattern (rtKey)

	warnedRoutes sync.Map // route name -> true: its unknown response key was logged (response.go)
	counters     *Counters
}

// New compiles the script, builds every Lua state and runs the script in
// each, so that a broken script fails here, before anything listens. Errors
// are *LoadError values naming the file and line.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, log: cfg.Log, store: cfg.Store, compiler: newCompiler(), closing: make(chan struct{}),
		live: map[*state]struct{}{}, counters: cfg.Counters}
	if e.counters == nil {
		e.counters = &Counters{}
	}
	if err := e.defaults(); err != nil {
		return nil, err
	}
	e.scriptDir = filepath.Dir(cfg.Script)
	if abs, err := filepath.Abs(e.scriptDir); err == nil {
		e.scriptDir = abs
	}
	e.luaPath = stdlib.SearchPath(e.scriptDir, cmp.Or(cfg.LuaPath, os.Getenv("LUA_PATH")))
	var err error
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
		if err := e.addState(i, i == 0); err != nil {
			e.Close()
			return nil, err
		}
	}
	if e.hooked {
		if err := e.initReserve(); err != nil {
			e.Close()
			return nil, err
		}
	}
	e.rt.current.Store(e) // the next realtime events run this script
	return e, nil
}

// defaults fills in what the Config leaves out: a log, a store, a
// database and an HTTP client of the engine's own, and the default limits.
func (e *Engine) defaults() error {
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.store == nil {
		e.store = store.NewMemory(store.DefaultMaxBytes)
	}
	if e.db = e.cfg.DB; e.db == nil {
		e.db, e.ownDB = db.NewLazy(func() (db.DB, error) { return db.OpenSQLite(db.Memory, db.SQLiteOptions{}) }), true
	}
	if e.cfg.Workers <= 0 {
		e.cfg.Workers = DefaultWorkers()
	}
	if e.rt = e.cfg.Realtime; e.rt == nil {
		e.rt, e.ownRT = NewRealtime(nil, RealtimeOptions{}), true
	}
	if e.http = e.cfg.HTTP; e.http == nil {
		c, err := outbound.New(outbound.Config{})
		if err != nil {
			return err
		}
		e.http, e.ownHTTP = c, true
	}
	switch {
	case e.cfg.Timeout == 0:
		e.timeout = DefaultTimeout
	case e.cfg.Timeout > 0:
		e.timeout = e.cfg.Timeout
	}
	switch {
	case e.cfg.RequestMemory == 0:
		e.requestMemory = DefaultRequestMemory
	case e.cfg.RequestMemory > 0:
		e.requestMemory = e.cfg.RequestMemory
	}
	return nil
}

// addState builds state id and puts it in the pool; the first builds the
// shared router.
func (e *Engine) addState(id int, first bool) error {
	st, reg, err := e.newState(id)
	if err != nil {
		return err
	}
	if err := e.adopt(st, reg, first); err != nil {
		st.close(e)
		return err
	}
	if !e.pool.put(st) {
		st.close(e) // the engine closed meanwhile
	}
	return nil
}

// adopt takes a freshly loaded state's registrations: the first builds the
// shared router; the others must have registered the same routes.
func (e *Engine) adopt(st *state, reg *registry, first bool) error {
	if first {
		if err := e.build(reg); err != nil {
			return err
		}
	} else if !e.sameRegistrations(reg) {
		return &LoadError{stdlib.Place{File: e.cfg.Script}, "the script registered different routes in another Lua state; " +
			"registration must not depend on time, randomness or shared data"}
	}
	st.handlers = make([]*lua.LFunction, len(reg.routes))
	st.rtFuncs = make([]*rtHandlers, len(reg.routes))
	for i, r := range reg.routes {
		st.handlers[i], st.rtFuncs[i] = r.fn, r.rt
	}
	st.mws, st.notFound, st.onError = reg.mws, reg.notFound, reg.onError
	st.onStatus, st.after, st.corsFn = reg.onStatus, reg.after, reg.corsFn
	st.req.sessions = e.sessions
	return nil
}

// build makes the router and mounts from the first state's registrations.
func (e *Engine) build(reg *registry) error {
	e.rtIndex = map[string]int{}
	for i, r := range reg.routes {
		rt := &route{method: r.method, pattern: r.pattern, index: i, where: r.where, realtime: r.realtime}
		if r.realtime != rtNone {
			e.rtIndex[rtKey(r.realtime == rtStream, r.pattern)] = i
		}
		if err := e.router.add(rt); err != nil {
			return &LoadError{r.where, err.Error()}
		}
	}
	e.mws = reg.mws
	e.hasNF, e.hasOnErr = reg.notFound != nil, reg.onError != nil
	e.hooks, e.hooked, e.cors = reg.hookSet(), reg.hooked(), reg.cors
	if reg.sessions != nil {
		if err := e.initSessions(reg.sessions); err != nil {
			return &LoadError{stdlib.Place{File: e.cfg.Script}, err.Error()}
		}
		e.sessions = reg.sessions
	}
	for _, m := range reg.mounts {
		spec, err := e.newMount(m)
		if err != nil {
			return err
		}
		e.mounts = append(e.mounts, spec)
	}
	return nil
}

func (e *Engine) sameRegistrations(reg *registry) bool {
	if len(reg.routes) != len(e.router.routes) || len(reg.mws) != len(e.mws) || len(reg.mounts) != len(e.mounts) ||
		(reg.notFound != nil) != e.hasNF || (reg.onError != nil) != e.hasOnErr || reg.hookSet() != e.hooks {
		return false
	}
	for i, r := range reg.routes {
		if r.method != e.router.routes[i].method || r.pattern != e.router.routes[i].pattern ||
			r.realtime != e.router.routes[i].realtime {
			return false
		}
	}
	return true
}

// RouteInfo describes one registered route or mount.
type RouteInfo struct {
	Method  string // AnyMethod for any
	Pattern string
	Where   stdlib.Place
}

// Routes lists the routes in registration order, then the mounts (as GET
// prefix*).
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
	if e.ownRT {
		e.rt.Shutdown()
	}
	e.closeFiles()
	if e.ownHTTP {
		e.http.CloseIdleConnections()
	}
	if e.reserve != nil {
		e.drainReserve()
	}
	if e.ownDB {
		defer e.db.Close()
	}
	if e.pool == nil {
		return
	}
	for _, st := range e.pool.close() {
		st.close(e)
	}
}

// acquire takes a free state, waiting at most the time limit.
func (e *Engine) acquire() *state { return e.pool.get(e.timeout) }

// release returns a state to the pool, or replaces it when it must not be
// reused (its time limit fired, or Go code panicked inside it).
func (e *Engine) release(st *state, dirty bool) {
	if !dirty {
		if !e.pool.put(st) {
			st.close(e) // the engine closed meanwhile
		}
		return
	}
	st.close(e)
	go e.replace(st.id)
}

// replace builds a new state in the background; the pool is one state short
// meanwhile.
func (e *Engine) replace(id int) {
	for attempt := 0; ; attempt++ {
		err := e.addState(id, false)
		if err == nil {
			e.counters.Rebuilds.Add(1)
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

// ServeHTTP answers static mounts in Go, then runs the request's route in
// a Lua state (serve.go). A file the route returned is sent after the state
// is back in the pool: a slow download must not hold a state.
func (e *Engine) ServeHTTP(w *httpcore.ResponseWriter, r *httpcore.Request) {
	if e.cors != nil && !e.cors.byFunc {
		// Static files and the plain answers get them too; finish sets
		// them again after a hook reset the response.
		e.cors.apply(w.Header(), r, r.Header.Has("Origin") && e.cors.allows(r.Header.Get("Origin"), nil))
	}
	// The whole body arrives before a Lua state is taken: a client that
	// trickles its upload holds its connection, never a state. A body that
	// fails (too large, too slow, malformed) is answered by the core, or
	// by the script's status hooks.
	if r.ContentLength != 0 {
		if err := r.ReceiveBody(); err != nil {
			if e.hooked {
				e.bodyFailed(w, r, err)
			}
			return
		}
	}
	if e.serveMount(w, r) {
		return
	}
	st := e.acquire()
	if st == nil {
		e.busy(w, r)
		return
	}
	released := false
	defer func() {
		if !released { // a Go panic went through: never reuse this state
			e.dropUploads(&st.x)
			e.release(st, true)
		}
	}()
	out := e.serve(st, w, r)
	released = true
	e.release(st, out.dirty)
	if out.upgrade != nil {
		e.startRealtime(w, r, out.upgrade) // realtime_route.go
		return
	}
	if out.send.o != nil {
		if err := out.send.o.Serve(w, r, &out.send.fo); err != nil && w.Committed() {
			out.abort = true // the file failed mid-way: only closing can say so
		}
	}
	if out.abort {
		panic(httpcore.ErrAbortHandler)
	}
}
