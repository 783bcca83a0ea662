package luatest

import (
	"path/filepath"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// TestGlobalsListed: Globals names exactly the globals a test file's
// state gets on top of a script's.
func TestGlobalsListed(t *testing.T) {
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: engine.Modules(nil)})
	defer L.Close()
	names := func() map[string]bool {
		m := map[string]bool{}
		L.G.Global.ForEach(func(k, _ lua.LValue) { m[lua.LVAsString(k)] = true })
		return m
	}
	before := names()
	fr := &fileRun{L: L, mocks: &mocks{}}
	if err := fr.setup(); err != nil {
		t.Fatal(err)
	}
	var added []string
	for n := range names() {
		if !before[n] {
			added = append(added, n)
		}
	}
	slices.Sort(added)
	want := slices.Sorted(slices.Values(Globals()))
	if !slices.Equal(added, want) {
		t.Errorf("a test file's state adds %v; Globals() lists %v", added, want)
	}
}

// TestRequireFromRocksTreeAndLuaPath: a test file and its script find
// modules in the LuaRocks tree beside them and on Config.LuaPath.
func TestRequireFromRocksTreeAndLuaPath(t *testing.T) {
	t.Parallel()
	extra := write(t, "onpath.lua", `return "on the path"`)
	dir := write(t,
		"lua_modules/share/lua/5.1/rock.lua", `return { hello = function(n) return "hello " .. n end }`,
		"routes.lua", `local app = require("luaserve")
local rock = require("rock")
app.get("/:n", function(req) return rock.hello(req.params.n) .. ", " .. require("onpath") end)
`,
		"routes_test.lua", `local rock = require("rock")
test("the route and the test use the rock", function()
  expect(get("/ada").body).to_be(rock.hello("ada") .. ", " .. require("onpath"))
end)
`)
	sum, out := runIn(t, Config{LuaPath: filepath.Join(extra, "?.lua")}, dir)
	if sum.Passed != 1 || sum.Failed != 0 {
		t.Fatalf("%+v\n%s", sum, out)
	}
}
