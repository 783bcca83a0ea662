package luatest

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/outbound"
	"github.com/luaserve/luaserve/session"
)

// Config says what to run and how.
type Config struct {
	// Script is the routes script for every test file; "" finds one per
	// file (see the package documentation).
	Script string
	// Out receives one line per test and the summary.
	Out io.Writer
	// Verbose also shows the server log of passing tests.
	Verbose bool
	// Run, when set, selects the tests whose names it matches.
	Run *regexp.Regexp
	// Dev runs the engine in development mode (tracebacks in 500 bodies,
	// warnings for unknown response keys); off by default, as in production.
	Dev bool
	// Timeout bounds one request; zero means 10s.
	Timeout time.Duration
	// LuaPath is engine.Config.LuaPath, for the script and the test files
	// alike; "" means LUA_PATH.
	LuaPath string
	// Store is the shared store's backend: "" (or "memory") for one in
	// memory per file, or a redis:// URL, where each file gets a key
	// prefix of its own, emptied before each test and at the end.
	Store string
	// DB is luaserve.db's database: "" for in-memory SQLite, or a
	// postgres:// URL, where each file gets a schema of its own, dropped
	// at the end.
	DB string
}

// Summary counts the results.
type Summary struct {
	Files, Passed, Failed int
}

// ErrNoTests is returned when the paths hold no *_test.lua file.
var ErrNoTests = errors.New("no *_test.lua files found")

// Find lists the test files named by paths: files as given, folders
// searched recursively for *_test.lua (skipping hidden folders).
func Find(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), "_test.lua") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, ErrNoTests
	}
	sort.Strings(out)
	return out, nil
}

// Run runs the test files named by paths and prints one line per test,
// then "N passed, N failed". Its error is for a usage problem (a missing
// path, no test files); failing tests are counted, not returned.
func Run(cfg Config, paths []string) (Summary, error) {
	files, err := Find(paths)
	if err != nil {
		return Summary{}, err
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	var sum Summary
	for _, f := range files {
		sum.Files++
		p, fl := runFile(cfg, f)
		sum.Passed += p
		sum.Failed += fl
	}
	fmt.Fprintf(cfg.Out, "%d passed, %d failed\n", sum.Passed, sum.Failed)
	return sum, nil
}

// ScriptFor finds the routes script a test file tests.
func ScriptFor(testFile string) (string, error) {
	dir := filepath.Dir(testFile)
	if name := scriptComment(testFile); name != "" {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return name, nil
	}
	base := strings.TrimSuffix(filepath.Base(testFile), "_test.lua") + ".lua"
	for _, cand := range []string{filepath.Join(dir, base), filepath.Join(dir, "routes.lua")} {
		if _, err := os.Stat(cand); err == nil {
			return cand, nil
		}
	}
	return "", fmt.Errorf("no routes script found for %s: add a first line \"-- luaserve: routes.lua\", name it after the script (routes_test.lua for routes.lua), or pass -script", testFile)
}

// scriptComment returns the path in a "-- luaserve: path" line among the
// file's first ten lines.
func scriptComment(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; i < 10 && sc.Scan(); i++ {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "--"); ok {
			if name, ok := strings.CutPrefix(strings.TrimSpace(rest), "luaserve:"); ok {
				return strings.TrimSpace(name)
			}
		}
	}
	return ""
}

// fileRun is one test file's run: its engine, connection and Lua state.
type fileRun struct {
	cfg    Config
	file   string
	store  testStore
	mocks  *mocks // luaserve.http's answers, set by http.mock
	db     testDB
	logs   *strings.Builder
	client *client
	L      *lua.LState
	tests  []testCase
	encode *lua.LFunction // json.encode
}

type testCase struct {
	name  string
	where stdlib.Place
	fn    *lua.LFunction
}

// scriptOf is the script a test file tests: cfg.Script, or the one
// ScriptFor finds beside it.
func scriptOf(cfg Config, file string) (string, error) {
	if cfg.Script != "" {
		return cfg.Script, nil
	}
	return ScriptFor(file)
}

// runFile runs one file's tests and returns how many passed and failed.
// A file that cannot run (no script, a script or test file that does not
// load) counts as one failure.
func runFile(cfg Config, file string) (passed, failed int) {
	out := cfg.Out
	fileFail := func(err error) (int, int) {
		fmt.Fprintf(out, "FAIL %s\n%s", file, indent(err.Error(), "    "))
		return 0, 1
	}
	script, err := scriptOf(cfg, file)
	if err != nil {
		return fileFail(err)
	}
	fr := &fileRun{cfg: cfg, file: file, logs: &strings.Builder{}}
	closeBackends, err := fr.openBackends()
	if err != nil {
		return fileFail(err)
	}
	defer closeBackends()
	sql := db.Opened(fr.db)
	log := slog.New(slog.NewTextHandler(fr.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fr.mocks = &mocks{}
	hc, err := outbound.New(outbound.Config{Transport: fr.mocks})
	if err != nil {
		return fileFail(err)
	}
	eng, err := engine.New(engine.Config{Script: script, Workers: 1, Dev: cfg.Dev, Log: log,
		Store: fr.store, DB: sql, Timeout: cfg.Timeout, LuaPath: cfg.LuaPath, HTTP: hc, SessionSecrets: []string{session.RandomSecret()}})
	if err != nil {
		return fileFail(fmt.Errorf("cannot load %s: %w", script, err))
	}
	defer eng.Close()
	if err := fr.db.snapshot(); err != nil { // the script's migrations applied
		return fileFail(err)
	}
	srv := &httpcore.Server{Handler: eng, Name: "luaserve", ErrorLog: log}
	defer srv.Close()
	fr.client = &client{srv: srv, timeout: cfg.Timeout + 5*time.Second}
	defer fr.client.close()

	fr.L = fr.newState(log, hc, sql)
	defer fr.L.Close()
	if err := fr.setup(); err != nil {
		return fileFail(err)
	}
	if err := loadFile(fr.L, file); err != nil {
		return fileFail(fmt.Errorf("%s", describe(err)))
	}
	stdlib.LockGlobals(fr.L)
	for _, tc := range fr.tests {
		if cfg.Run != nil && !cfg.Run.MatchString(tc.name) {
			continue
		}
		if fr.runTest(tc) {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

// openBackends opens the file's store and database; the function it
// returns closes both.
func (fr *fileRun) openBackends() (func(), error) {
	st, closeStore, err := openStore(fr.cfg)
	if err != nil {
		return nil, err
	}
	if fr.db, err = openTestDB(fr.cfg); err != nil {
		closeStore()
		return nil, err
	}
	fr.store = st
	return func() { fr.db.Close(); closeStore() }, nil
}

// newState makes the test file's state as the server's are made, with the
// same modules; require("x") finds x.lua beside the test file, then in the
// LuaRocks tree beside it and on LUA_PATH.
func (fr *fileRun) newState(log *slog.Logger, hc *outbound.Client, sql *db.Lazy) *lua.LState {
	dir := filepath.Dir(fr.file)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return stdlib.NewState(&stdlib.BasicHost{Logger: log, Shared: fr.store, Folder: dir, SQL: sql},
		stdlib.Options{Modules: engine.Modules(hc), Path: stdlib.SearchPath(dir, cmp.Or(fr.cfg.LuaPath, os.Getenv("LUA_PATH"))),
			Load: compileFile})
}

// runTest runs one test and prints its line (and, on failure, why).
func (fr *fileRun) runTest(tc testCase) bool {
	if err := fr.store.clear(); err != nil {
		fmt.Fprintf(fr.cfg.Out, "FAIL %s: %s: cannot empty the store: %v\n", tc.where, tc.name, err)
		return false
	}
	fr.mocks.reset()
	fr.logs.Reset()
	if err := fr.db.reset(); err != nil {
		fmt.Fprintf(fr.cfg.Out, "FAIL %s: %s: cannot reset the database: %v\n", tc.where, tc.name, err)
		return false
	}
	L := fr.L
	start := time.Now()
	L.Push(tc.fn)
	err := L.PCall(0, 0, nil)
	took := time.Since(start)
	L.SetTop(0)
	out := fr.cfg.Out
	if err == nil {
		fmt.Fprintf(out, "PASS %s: %s (%s)\n", tc.where, tc.name, round(took))
		if fr.cfg.Verbose && fr.logs.Len() > 0 {
			fmt.Fprintf(out, "    log:\n%s", indent(fr.logs.String(), "      "))
		}
		return true
	}
	fmt.Fprintf(out, "FAIL %s: %s (%s)\n", tc.where, tc.name, round(took))
	fmt.Fprint(out, indent(describe(err), "    "))
	if fr.logs.Len() > 0 {
		fmt.Fprintf(out, "    log:\n%s", indent(fr.logs.String(), "      "))
	}
	return false
}

// describe explains a failed test: an expectation with its values, or a
// Lua error with its traceback.
func describe(err error) string {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	if ud, ok := ae.Object.(*lua.LUserData); ok {
		if f, ok := ud.Value.(*failure); ok {
			s := f.where.String() + ": " + f.msg + "\n"
			if f.values {
				s += "    expected: " + f.expected + "\n    actual:   " + f.actual + "\n"
			}
			return s
		}
	}
	msg := lua.LVAsString(ae.Object)
	if msg == "" {
		msg = "error: " + show(ae.Object)
	}
	if ae.StackTrace != "" {
		msg += "\n" + ae.StackTrace
	}
	return msg
}

func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}

func round(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}

// setup installs the test globals in the file's Lua state.
func (fr *fileRun) setup() error {
	L := fr.L
	if err := L.DoString(`return require("luaserve.json")`); err != nil {
		return err
	}
	jsonMod := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	fr.encode = jsonMod.RawGetString("encode").(*lua.LFunction)
	L.SetGlobal("json", jsonMod)
	if err := L.DoString(`return require("luaserve.http")`); err != nil {
		return err
	}
	httpMod := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	fr.mocks.install(L, httpMod)
	L.SetGlobal("http", httpMod)
	installAssertions(L)
	L.SetGlobal("test", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		fn := L.CheckFunction(2)
		fr.tests = append(fr.tests, testCase{name: name, fn: fn, where: stdlib.Caller(L, 1)})
		return 0
	}))
	for _, m := range []string{"get", "head", "options", "delete"} {
		method := strings.ToUpper(m)
		L.SetGlobal(m, L.NewFunction(func(L *lua.LState) int {
			return fr.send(L, method, L.CheckString(1), lua.LNil, L.OptTable(2, nil))
		}))
	}
	for _, m := range []string{"post", "put", "patch"} {
		method := strings.ToUpper(m)
		L.SetGlobal(m, L.NewFunction(func(L *lua.LState) int {
			return fr.send(L, method, L.CheckString(1), L.Get(2), L.OptTable(3, nil))
		}))
	}
	L.SetGlobal("request", L.NewFunction(func(L *lua.LState) int {
		return fr.send(L, strings.ToUpper(L.CheckString(1)), L.CheckString(2), lua.LNil, L.OptTable(3, nil))
	}))
	return nil
}

// send builds a request from Lua arguments, sends it and pushes the
// response table.
func (fr *fileRun) send(L *lua.LState, method, path string, body lua.LValue, opts *lua.LTable) int {
	o := &outgoing{method: method}
	var query url.Values
	if opts != nil {
		if h, ok := opts.RawGetString("headers").(*lua.LTable); ok {
			h.ForEach(func(k, v lua.LValue) {
				o.header = append(o.header, [2]string{lua.LVAsString(k), L.ToStringMeta(v).String()})
			})
		}
		if body == lua.LNil {
			body = opts.RawGetString("body")
		}
		if j := opts.RawGetString("json"); j != lua.LNil && body == lua.LNil {
			body = j
		}
		if f, ok := opts.RawGetString("form").(*lua.LTable); ok {
			body = lua.LString(formValues(L, f).Encode())
			fr.defaultHeader(o, "Content-Type", "application/x-www-form-urlencoded")
		}
		if q, ok := opts.RawGetString("query").(*lua.LTable); ok {
			query = formValues(L, q)
		}
	}
	switch b := body.(type) {
	case lua.LString:
		o.body = []byte(b)
	case *lua.LTable:
		L.Push(fr.encode)
		L.Push(b)
		L.Call(1, 2)
		text, msg := L.Get(-2), L.Get(-1)
		L.Pop(2)
		if text == lua.LNil {
			L.RaiseError("%s %s: the body table cannot be sent as JSON: %s", method, path, lua.LVAsString(msg))
		}
		o.body = []byte(lua.LVAsString(text))
		fr.defaultHeader(o, "Content-Type", "application/json")
	default:
		if body != lua.LNil {
			L.ArgError(2, "body must be a string or a table")
		}
	}
	o.target = target(path, query)
	res, err := fr.client.do(o)
	if err != nil {
		L.RaiseError("%s %s: %v", method, path, err)
	}
	L.Push(fr.responseTable(L, res))
	return 1
}

func (fr *fileRun) defaultHeader(o *outgoing, name, value string) {
	for _, h := range o.header {
		if httpcore.EqualFold([]byte(h[0]), name) {
			return
		}
	}
	o.header = append(o.header, [2]string{name, value})
}

// formValues converts name -> value | list of values.
func formValues(L *lua.LState, t *lua.LTable) url.Values {
	v := url.Values{}
	t.ForEach(func(k, val lua.LValue) {
		name := lua.LVAsString(k)
		if list, ok := val.(*lua.LTable); ok {
			for i := 1; i <= list.Len(); i++ {
				v.Add(name, L.ToStringMeta(list.RawGetInt(i)).String())
			}
			return
		}
		v.Add(name, L.ToStringMeta(val).String())
	})
	return v
}

func (fr *fileRun) responseTable(L *lua.LState, res *response) *lua.LTable {
	t := L.CreateTable(0, 5)
	t.RawSetString("status", lua.LNumber(res.status))
	names, values := lowerHeaders(res.header)
	h := L.CreateTable(0, len(names))
	for _, n := range names {
		h.RawSetString(n, lua.LString(values[n]))
	}
	t.RawSetString("headers", h)
	t.RawSetString("body", lua.LString(res.body))
	if res.isJSON && len(res.body) > 0 {
		v, err := json.Decode(context.Background(), L, string(res.body))
		if err != nil {
			t.RawSetString("json_error", lua.LString(err.Error()))
		} else {
			t.RawSetString("json", v)
		}
	}
	return t
}
