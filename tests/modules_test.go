package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// writeTree writes files (path, content pairs) under dir.
func writeTree(t *testing.T, dir string, files ...string) {
	t.Helper()
	for i := 0; i+1 < len(files); i += 2 {
		path := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, files[i+1])
	}
}

// TestRequireSearchOrder: require looks in the script's folder, then the
// LuaRocks tree beside it (also ?/init.lua), then Config.LuaPath, whose
// ";;" stands for the system's folders; the script may change
// package.path; the modules found are the engine's files (watched by
// -watch).
func TestRequireSearchOrder(t *testing.T) {
	t.Parallel()
	dir, extra := t.TempDir(), t.TempDir()
	rocks := filepath.Join("lua_modules", "share", "lua", "5.1")
	writeTree(t, dir,
		"shadow.lua", `return "script folder"`,
		filepath.Join(rocks, "shadow.lua"), `return "rocks tree"`,
		filepath.Join(rocks, "rock.lua"), `return "rock"`,
		filepath.Join(rocks, "rockpkg", "init.lua"), `return { name = "rockpkg" }`,
		filepath.Join(rocks, "rockpkg", "util.lua"), `return "rockpkg.util"`,
		"routes.lua", `local app = require("luaserve")
package.path = package.path .. ";`+filepath.Join(dir, "late", "?.lua")+`"
local parts = { require("shadow"), require("rock"), require("rockpkg").name, require("rockpkg.util"),
  require("fromflag"), require("late") }
app.get("/", function() return table.concat(parts, ",") end)
app.get("/path", function() return package.path end)
app.get("/missing", function()
  local ok, err = pcall(require, "nowhere.at_all")
  return { status = 200, body = err }
end)
`,
		filepath.Join("late", "late.lua"), `return "late"`)
	writeTree(t, extra, "fromflag.lua", `return "flag"`)
	s := startConfig(t, engine.Config{Script: filepath.Join(dir, "routes.lua"),
		LuaPath: filepath.Join(extra, "?.lua") + ";;"})
	c := client(t)
	if res, body := do(t, c, "GET", s.url+"/", ""); res.StatusCode != 200 || body != "script folder,rock,rockpkg,rockpkg.util,flag,late" {
		t.Fatalf("/: %d %q\n%s", res.StatusCode, body, s.logs.String())
	}
	_, path := do(t, c, "GET", s.url+"/path", "")
	want := []string{filepath.Join(dir, "?.lua"), filepath.Join(dir, "?", "init.lua"),
		filepath.Join(dir, rocks, "?.lua"), filepath.Join(dir, rocks, "?", "init.lua"), filepath.Join(extra, "?.lua")}
	if !strings.HasPrefix(path, strings.Join(want, ";")+";") || !strings.HasSuffix(path, filepath.Join(dir, "late", "?.lua")) {
		t.Errorf("package.path = %q", path)
	}
	if os.PathSeparator == '/' && !strings.Contains(path, ";/usr/share/lua/5.1/?.lua;") {
		t.Errorf(";; did not bring the system's folders: %q", path)
	}
	_, miss := do(t, c, "GET", s.url+"/missing", "")
	if !strings.Contains(miss, "module nowhere.at_all not found") ||
		!strings.Contains(miss, "no file '"+filepath.Join(dir, rocks, "nowhere", "at_all.lua")+"'") {
		t.Errorf("the error should list the files tried: %q", miss)
	}
	files := strings.Join(s.eng.Files(), "\n")
	for _, f := range []string{filepath.Join(dir, rocks, "rock.lua"), filepath.Join(dir, rocks, "rockpkg", "util.lua"),
		filepath.Join(extra, "fromflag.lua"), filepath.Join(dir, "late", "late.lua")} {
		if !strings.Contains(files, f) {
			t.Errorf("engine files lack %s (so -watch would not see it):\n%s", f, files)
		}
	}
}

// TestRequireLuaPathEnv: without Config.LuaPath the LUA_PATH variable is
// read, as the reference Lua does.
func TestRequireLuaPathEnv(t *testing.T) {
	extra := t.TempDir()
	writeTree(t, extra, "envmod.lua", `return "from LUA_PATH"`)
	t.Setenv("LUA_PATH", filepath.Join(extra, "?.lua"))
	s := startSource(t, `local app = require("luaserve")
local m = require("envmod")
app.get("/", function() return m .. " " .. tostring(package.path:find("/usr/share/lua", 1, true) ~= nil) end)
`, engine.Config{})
	if res, body := do(t, client(t), "GET", s.url+"/", ""); res.StatusCode != 200 || body != "from LUA_PATH false" {
		t.Fatalf("%d %q (LUA_PATH without ;; replaces the system's folders)", res.StatusCode, body)
	}
}

// TestRequireRocksTreeReloads: -watch follows a module from the LuaRocks
// tree like any other.
func TestRequireRocksTreeReloads(t *testing.T) {
	t.Parallel()
	rock := filepath.Join("lua_modules", "share", "lua", "5.1", "greet.lua")
	s := startReloading(t, `local app = require("luaserve")
local greet = require("greet")
app.get("/", function() return greet end)
`, false, rock, `return "hello"`)
	waitBody(t, s.addr, "/", bodyIs("hello"))
	writeFile(t, filepath.Join(filepath.Dir(s.script), rock), `return "bonjour"`)
	waitBody(t, s.addr, "/", bodyIs("bonjour"))
}

// TestRequireSandbox: in the sandbox require reads the folders of the
// initial search path, but a folder the script adds to package.path
// outside the allowed ones is refused.
func TestRequireSandbox(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, outside, "secret.lua", `return "secret"`)
	writeTree(t, dir, filepath.Join("lua_modules", "share", "lua", "5.1", "rock.lua"), `return "rock"`,
		"routes.lua", `local app = require("luaserve")
local rock = require("rock")
app.get("/", function()
  package.path = package.path .. ";`+filepath.Join(outside, "?.lua")+`"
  local ok, err = pcall(require, "secret")
  return rock .. " " .. tostring(ok) .. " " .. tostring(err)
end)
`)
	s := startConfig(t, engine.Config{Script: filepath.Join(dir, "routes.lua"), Sandbox: true, LuaPath: ";;"})
	res, body := do(t, client(t), "GET", s.url+"/", "")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "rock false ") || !strings.Contains(body, "outside the allowed folders") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
}

// TestDeepRecursion: a recursive algorithm thousands of calls deep works;
// endless recursion is a 500 with "stack overflow" in the log, directly
// or through pcall, and the server goes on serving.
func TestDeepRecursion(t *testing.T) {
	t.Parallel()
	s := startSource(t, `local app = require("luaserve")
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
local function forever(n) return 1 + forever(n + 1) end
local function nested(n)
  local ok, err = pcall(nested, n + 1)
  if not ok then error(err, 0) end
  return err
end
app.get("/deep", function() return tostring(depth(4500)) end)
app.get("/forever", function() return tostring(forever(1)) end)
app.get("/nested", function() return tostring(nested(1)) end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Workers: 2})
	c := client(t)
	if res, body := do(t, c, "GET", s.url+"/deep", ""); res.StatusCode != 200 || body != "4500" {
		t.Fatalf("/deep: %d %q\n%s", res.StatusCode, body, s.logs.String())
	}
	for _, p := range []string{"/forever", "/nested", "/forever"} {
		if res, _ := do(t, c, "GET", s.url+p, ""); res.StatusCode != 500 {
			t.Errorf("%s: %d, want 500", p, res.StatusCode)
		}
		if res, body := do(t, c, "GET", s.url+"/ok", ""); res.StatusCode != 200 || body != "ok" {
			t.Fatalf("after %s: %d %q", p, res.StatusCode, body)
		}
	}
	if !strings.Contains(s.logs.String(), "stack overflow") {
		t.Errorf("the log should say stack overflow:\n%s", s.logs.String())
	}
}
