package stdlib_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	sqldb "github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/lua/stdlib"
	luacrypto "github.com/luaserve/luaserve/lua/stdlib/crypto"
	luadb "github.com/luaserve/luaserve/lua/stdlib/db"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	luajwt "github.com/luaserve/luaserve/lua/stdlib/jwt"
	luslog "github.com/luaserve/luaserve/lua/stdlib/log"
	"github.com/luaserve/luaserve/lua/stdlib/response"
	luastore "github.com/luaserve/luaserve/lua/stdlib/store"
	luatemplate "github.com/luaserve/luaserve/lua/stdlib/template"
	luatime "github.com/luaserve/luaserve/lua/stdlib/time"
	luaurl "github.com/luaserve/luaserve/lua/stdlib/url"
	luavalidate "github.com/luaserve/luaserve/lua/stdlib/validate"
	"github.com/luaserve/luaserve/store"
)

// modules are the library modules, as the engine lists them.
func modules() []stdlib.Module {
	return []stdlib.Module{json.Module(), luastore.Module(), luaurl.Module(), luatime.Module(),
		luslog.Module(), response.Module(), luacrypto.Module(), luajwt.Module(),
		luavalidate.Module(), luadb.Module(), luatemplate.Module()}
}

// memoryDB is a throwaway in-memory database, opened on first use and
// closed with the test.
func memoryDB(t *testing.T) *sqldb.Lazy {
	l := sqldb.NewLazy(func() (sqldb.DB, error) { return sqldb.OpenSQLite(sqldb.Memory, sqldb.SQLiteOptions{}) })
	t.Cleanup(func() { l.Close() })
	return l
}

// newState returns a state made as every luaserve state is, its log
// written to logs.
func newState(t *testing.T, logs *bytes.Buffer) *lua.LState {
	t.Helper()
	h := &stdlib.BasicHost{Logger: slog.New(slog.NewTextHandler(logs, nil)), Shared: store.NewMemory(0), Folder: "testdata",
		SQL: memoryDB(t)}
	L := stdlib.NewState(h, stdlib.Options{Modules: modules(), Path: stdlib.SearchPath("testdata", ""), Load: compileFile})
	t.Cleanup(L.Close)
	return L
}

// newSandboxState is newState with the sandbox limited to roots.
func newSandboxState(t *testing.T, logs *bytes.Buffer, roots ...string) *lua.LState {
	t.Helper()
	h := &stdlib.BasicHost{Logger: slog.New(slog.NewTextHandler(logs, nil)), Shared: store.NewMemory(0), Folder: "testdata"}
	L := stdlib.NewState(h, stdlib.Options{Modules: modules(), Path: stdlib.SearchPath("testdata", ""), Load: compileFile,
		Sandbox: true, Roots: roots})
	t.Cleanup(L.Close)
	return L
}

func compileFile(path string) (*lua.FunctionProto, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return stdlib.Compile(src, path)
}

// TestLuaModules runs testdata/*_test.lua: the modules tested in Lua, as
// scripts use them. Each check is an assert, so a failure names its line.
func TestLuaModules(t *testing.T) {
	runLuaFiles(t, "testdata/*_test.lua", func(t *testing.T, logs *bytes.Buffer) *lua.LState {
		return newState(t, logs)
	})
}

// TestLuaSandbox runs testdata/sandbox_*.lua in a sandboxed state whose
// one root is testdata.
func TestLuaSandbox(t *testing.T) {
	runLuaFiles(t, "testdata/sandbox_*.lua", func(t *testing.T, logs *bytes.Buffer) *lua.LState {
		return newSandboxState(t, logs, "testdata")
	})
}

// runLuaFiles runs each file matching glob as a subtest, in a state that
// newL makes with its log written to logs.
func runLuaFiles(t *testing.T, glob string, newL func(*testing.T, *bytes.Buffer) *lua.LState) {
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		t.Fatalf("no %s", glob)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".lua"), "_test"), func(t *testing.T) {
			var logs bytes.Buffer
			L := newL(t, &logs)
			if err := L.DoFile(f); err != nil {
				t.Fatalf("%v\nlog:\n%s", err, logs.String())
			}
		})
	}
}

// TestNewState: what every state has, and what it does not.
func TestNewState(t *testing.T) {
	var logs bytes.Buffer
	L := newState(t, &logs)
	err := L.DoString(`
assert(os.exit == nil and os.setlocale == nil, "os.exit and os.setlocale are removed")
assert(os.time and string.format and table.concat and math.floor and coroutine.wrap and io.open)
assert(debug.traceback and not debug.getlocal and channel == nil, "a debug subset, no channel")
assert(package.path:find("testdata/?.lua;", 1, true) and package.cpath == "")
local t = setmetatable({}, { __pairs = function(t) return next, { a = 1 }, nil end })
local seen
for k, v in pairs(t) do seen = k .. v end
assert(seen == "a1", "pairs honours __pairs")
print("hello", 42)
local ok, err = pcall(require, "no.such.module")
assert(not ok and err:find("module no.such.module not found", 1, true), err)
assert(require("helper").answer == 42, "require finds testdata/helper.lua")
assert(require("pkg").name == "pkg", "require finds testdata/pkg/init.lua")
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `msg="hello\t42" source=print where=<string>:10`) {
		t.Errorf("print did not reach the log with its place:\n%s", logs.String())
	}
}

// TestLockGlobals: once locked, assigning an undeclared global fails and
// the message names the assigning line; declared globals stay writable.
func TestLockGlobals(t *testing.T) {
	L := newState(t, &bytes.Buffer{})
	if err := L.DoString("counter = 0"); err != nil {
		t.Fatal(err)
	}
	stdlib.LockGlobals(L)
	if err := L.DoString("counter = counter + 1"); err != nil {
		t.Fatalf("a declared global: %v", err)
	}
	err := L.DoString("local x = 1\nleaked = x")
	if err == nil || !strings.Contains(err.Error(), "<string>:2: assignment to undeclared global 'leaked'") {
		t.Fatalf("got %v", err)
	}
}

func TestSplitMessage(t *testing.T) {
	for _, tc := range []struct {
		msg, place, text string
		ok               bool
	}{
		{"routes.lua:3: boom", "routes.lua:3", "boom", true},
		{"/srv/app/lib/x.lua:12: attempt to index a nil value", "/srv/app/lib/x.lua:12", "attempt to index a nil value", true},
		{`C:\app\routes.lua:7: x`, `C:\app\routes.lua:7`, "x", true},
		{"routes.lua:3: first\nsecond", "routes.lua:3", "first\nsecond", true},
		{"plain message", "", "plain message", false},
		{"time 10:30: later", "", "time 10:30: later", false},
		{"routes.lua:x: no line", "", "routes.lua:x: no line", false},
	} {
		p, text, ok := stdlib.SplitMessage(tc.msg)
		if p.String() != tc.place || text != tc.text || ok != tc.ok {
			t.Errorf("%q: got %q %q %v, want %q %q %v", tc.msg, p, text, ok, tc.place, tc.text, tc.ok)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"local x = \n", "f.lua:1: unexpected end of file"},
		{"x = = 1\n", "f.lua:1: syntax error near '='"},
		{"goto nowhere\n", "f.lua:2: no visible label 'nowhere'"}, // gopher-lua: the block's end
	} {
		_, err := stdlib.Compile([]byte(tc.src), "f.lua")
		var se *stdlib.SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want a SyntaxError starting %q", tc.src, err, tc.want)
		}
	}
}

// TestScriptModule: an embedded Lua module runs once per state; a broken
// one panics when first used, naming itself.
func TestScriptModule(t *testing.T) {
	mod := stdlib.Script("luaserve.demo", []byte("return { n = 1 }"))()
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: []stdlib.Module{mod}})
	defer L.Close()
	if err := L.DoString(`assert(require("luaserve.demo").n == 1)`); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "luaserve/broken.lua:1") {
			t.Fatalf("panic %v", p)
		}
	}()
	stdlib.Script("luaserve.broken", []byte("return {"))()
}

// testBudget is a stdlib.Budget of limit bytes.
type testBudget struct{ used, limit int }

func (b *testBudget) Charge(n int) error {
	if b.used += n; b.used > b.limit {
		return fmt.Errorf("%w (test)", stdlib.ErrMemoryLimit)
	}
	return nil
}

// TestBuildersChargeTheBudget: table.concat and string.format refuse to
// build what the request's budget does not cover, before building it.
func TestBuildersChargeTheBudget(t *testing.T) {
	b := &testBudget{limit: 1 << 20}
	h := &ctxHost{ctx: stdlib.WithBudget(context.Background(), b)}
	L := stdlib.NewState(h, stdlib.Options{})
	defer L.Close()
	for _, src := range []string{
		`local t = {} for i = 1, 2000 do t[i] = ("x"):rep(1000) end return table.concat(t)`,
		`local s = ("x"):rep(600000) return string.format("%s%s", s, s)`,
	} {
		b.used = 0
		err := L.DoString(src)
		if err == nil || !strings.Contains(err.Error(), "request memory limit exceeded") {
			t.Errorf("%s: got %v, want the memory limit", src, err)
		}
	}
	b.used = 0
	if err := L.DoString(`assert(#table.concat({ ("y"):rep(1000), "z" }) == 1001)`); err != nil {
		t.Fatalf("within the budget: %v", err)
	}
}

// TestConcatStopsWithTheRequest: a long table.concat checks the request's
// context as it goes.
func TestConcatStopsWithTheRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	L := stdlib.NewState(&ctxHost{ctx: ctx}, stdlib.Options{})
	defer L.Close()
	if err := L.DoString(`big = {} for i = 1, 200000 do big[i] = "x" end`); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := L.DoString(`return table.concat(big)`)
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("got %v, want the context's error", err)
	}
}

// TestLuaOnPostgresAndRedis runs the Lua test files that hold for every
// backend (dbboth_test.lua, store_test.lua), unchanged, with luaserve.db
// on PostgreSQL (a schema of the test's own) and luaserve.store on Redis
// (a key prefix of its own). .ci/services.sh starts both; without them
// the test skips, or fails under LUASERVE_REQUIRE_POSTGRES/REDIS.
func TestLuaOnPostgresAndRedis(t *testing.T) {
	pgURL, redisURL := os.Getenv("LUASERVE_POSTGRES_URL"), os.Getenv("LUASERVE_REDIS_URL")
	if pgURL == "" || redisURL == "" {
		if os.Getenv("LUASERVE_REQUIRE_POSTGRES") != "" || os.Getenv("LUASERVE_REQUIRE_REDIS") != "" {
			t.Fatal("LUASERVE_REQUIRE_POSTGRES/REDIS is set but LUASERVE_POSTGRES_URL or LUASERVE_REDIS_URL is not")
		}
		t.Skip("no LUASERVE_POSTGRES_URL and LUASERVE_REDIS_URL (source .ci/services.sh; services_start)")
	}
	for _, f := range []string{"testdata/dbboth_test.lua", "testdata/store_test.lua"} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			name := fmt.Sprintf("lua_%d", time.Now().UnixNano())
			r, err := store.OpenRedis(context.Background(), redisURL, 2)
			if err != nil {
				t.Fatal(err)
			}
			shared := store.WithPrefix(r, name+":")
			t.Cleanup(func() { shared.Clear(context.Background()); r.Close() })
			var logs bytes.Buffer
			h := &stdlib.BasicHost{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Shared: shared, Folder: "testdata",
				SQL: sqldb.Opened(postgresSchema(t, pgURL, name))}
			L := stdlib.NewState(h, stdlib.Options{Modules: modules(), Path: stdlib.SearchPath("testdata", ""), Load: compileFile})
			defer L.Close()
			if err := L.DoFile(f); err != nil {
				t.Fatalf("%v\nlog:\n%s", err, logs.String())
			}
		})
	}
}

// postgresSchema opens the database at url with a new schema, dropped at
// the end, as its search path.
func postgresSchema(t *testing.T, url, schema string) *sqldb.Postgres {
	ctx := context.Background()
	admin, err := sqldb.OpenPostgres(ctx, url, sqldb.PostgresOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema, sqldb.Args{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE", sqldb.Args{})
		admin.Close()
	})
	p, err := sqldb.OpenPostgres(ctx, url+querySep(url)+"search_path="+schema, sqldb.PostgresOptions{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// querySep is what joins one more query parameter to url.
func querySep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}
