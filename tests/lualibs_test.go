package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// systemLuaDir is where Debian's lua-* packages install pure-Lua modules.
const systemLuaDir = "/usr/share/lua/5.1"

// TestSystemLuaLibraries serves routes that use real libraries installed
// by the system's packages (.ci/run installs lua-penlight, lua-inspect,
// lua-dkjson and lua-argparse), found through the default search path:
// Penlight's pretty, Date and template (which use the debug library),
// inspect, dkjson and argparse. Without them it skips, unless
// LUASERVE_REQUIRE_LUALIBS=1.
func TestSystemLuaLibraries(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"pl/pretty.lua", "pl/Date.lua", "pl/template.lua", "inspect.lua", "dkjson.lua", "argparse.lua"} {
		if _, err := os.Stat(filepath.Join(systemLuaDir, f)); err != nil {
			if os.Getenv("LUASERVE_REQUIRE_LUALIBS") == "1" {
				t.Fatalf("LUASERVE_REQUIRE_LUALIBS=1 but %v", err)
			}
			t.Skipf("%v (apt-get install lua-penlight lua-inspect lua-dkjson lua-argparse)", err)
		}
	}
	s := startConfig(t, engine.Config{Script: filepath.Join("testdata", "lualibs", "routes.lua"), LuaPath: ";;"})
	c := client(t)
	for _, tc := range []struct{ path, want string }{
		{"/pretty", `{a=1,b={"x","y"}}`},
		{"/date", "2024-02-29 false"},
		{"/template", "Hello ada!\n1\n2\n3\n"},
		{"/misc", "x;2;{2,4,6}"},
		{"/inspect", "{ 1, 2,a = {b = true}}"},
		{"/dkjson", `{"n":3,"list":[3,2,1]}`},
		{"/argparse", "ada true false unknown option '--bogus'"},
	} {
		if res, body := do(t, c, "GET", s.url+tc.path, ""); res.StatusCode != 200 || body != tc.want {
			t.Errorf("%s: %d %q, want %q\n%s", tc.path, res.StatusCode, body, tc.want, s.logs.String())
		}
	}
	// pl.template runs the template with xpcall(f, debug.traceback): the
	// error names the template's line and carries a traceback.
	_, body := do(t, c, "GET", s.url+"/template_error", "")
	if !strings.HasPrefix(body, "nil | TMP:") || !strings.Contains(body, "attempt to index") ||
		!strings.Contains(body, "stack traceback:") || !strings.Contains(body, "pl/template.lua") {
		t.Errorf("/template_error: %q", body)
	}
	// The libraries are watched by -watch like the script's own modules.
	if files := strings.Join(s.eng.Files(), "\n"); !strings.Contains(files, filepath.Join(systemLuaDir, "pl", "pretty.lua")) {
		t.Errorf("engine files lack pl/pretty.lua:\n%s", files)
	}
}
