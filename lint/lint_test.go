package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/internal/suggest"
)

// check writes files (name, source pairs; the first is the script) to a
// temporary folder, checks the script and returns the findings as
// "name:line: message" with base names.
func check(t *testing.T, files ...string) []string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Check(filepath.Join(dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.All() {
		f.File = filepath.Base(f.File)
		out = append(out, f.String())
	}
	return out
}

const header = "local app = require(\"luaserve\")\n"

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files []string
		want  []string // substrings, one per finding, in order
	}{
		{"clean", []string{"routes.lua", header + `
local counter = 0
config = { greeting = "hi" }
function helper(x) return x end
local M = {}
function M.f(self) self.x = 1 end
function M:g() self.y = 2 end
app.get("/a/:id", function(req)
  local n = tonumber(req.params.id)
  for i = 1, 3 do n = n + i end
  for k, v in pairs(req.query) do local _ = k .. v end
  counter = counter + 1
  config.greeting = "hello"
  helper = helper
  local function rec(k) if k > 0 then rec = rec end end
  return { status = 200, json = { n = n }, headers = {} }
end)
app.get("/a/*rest", function() return { text = "x" } end)
app.static("/public/", ".")
app.static("/assets/", ".")
`}, nil},
		{"syntax error", []string{"routes.lua", header + "app.get(\"/\", function()\n  return 1\n"},
			[]string{"routes.lua:3: unexpected end of file"}},
		{"load error", []string{"routes.lua", header + "local x = nil\nx.y = 1\n"},
			[]string{"routes.lua:3: attempt to index"}},
		{"duplicate route", []string{"routes.lua", header + "app.get(\"/a/:x\", function() end)\napp.get(\"/a/:y\", function() end)\n"},
			[]string{"routes.lua:3: GET /a/:y is already registered at"}},
		{"undeclared globals", []string{"routes.lua", header + `
app.get("/", function(req)
  total = 1
  local function inner() count = 2 end
  function named() end
  return "ok"
end)
local function helper() leaked = true end
`}, []string{
			"routes.lua:4: assignment to undeclared global 'total'",
			"routes.lua:5: assignment to undeclared global 'count'",
			"routes.lua:6: assignment to undeclared global 'named'",
			"routes.lua:9: assignment to undeclared global 'leaked'",
		}},
		{"globals declared in a module", []string{"routes.lua", header + `
require("lib")
app.get("/", function() shared = 2; return "ok" end)
`, "lib.lua", "shared = 1\nreturn true\n"}, nil},
		{"undeclared global reads", []string{"routes.lua", header + `
local json = require("luaserve.json")
local M = {}
function M.f() return 1 end
counter = 0
app.get("/", function(req)
  local q = reqq.query
  counter = counter + #tostring(req.path) + math.floor(1.5) + select("#", 1)
  local ok = pcall(string.format, "%d", 1) and type(_G) == "table" and _VERSION and debug.traceback
  for k, v in pairs(req.headers) do print(k, v, undefined_in_loop) end
  return json.encode({ q = q, s = string.rep("x", 2), c = later_global, t = os.time() })
end)
function later_global() return helper_typo end
`}, []string{
			"routes.lua:8: read of undeclared global 'reqq': it is nil",
			"routes.lua:11: read of undeclared global 'undefined_in_loop'",
			"routes.lua:14: read of undeclared global 'helper_typo'",
		}},
		{"libraries in lua_modules are not linted", []string{"routes.lua", header + `
local lib = require("lib")
app.get("/", function() return lib.x end)
`, "lua_modules/share/lua/5.1/lib.lua", "local M = {}\nfunction M.f() return not_defined_anywhere end\nM.x = 'x'\nreturn M\n"}, nil},
		{"unknown response keys", []string{"routes.lua", header + `
app.get("/", function(req)
  if req.query.x then return { stauts = 201, body = "x" } end
  local helper = function() return { whatever = 1 } end
  return { body = "ok", hedaers = {} }
end)
app.use(function(req) return { colour = "red" } end)
`}, []string{
			`routes.lua:4: response table key "stauts" is not one the server knows; it is ignored (did you mean "status"?)`,
			`routes.lua:6: response table key "hedaers"`,
			`routes.lua:8: response table key "colour" is not one the server knows; it is ignored (known: body,`,
		}},
		{"unreachable wildcard", []string{"routes.lua", header + `
app.get("/a/", function() end)
app.get("/a/:x", function() end)
app.get("/a/:x/*r", function() end)
app.get("/a//*r", function() end)
app.get("/a/*all", function() end)
app.post("/a/*all", function() end)
`}, []string{"routes.lua:7: GET /a/*all is never reached"}},
		{"wildcard reachable through an uncovered case", []string{"routes.lua", header + `
app.get("/a/", function() end)
app.get("/a/:x", function() end)
app.get("/a//*r", function() end)
app.get("/a/*all", function() end)
app.any("/b/:x", function() end)
app.get("/b/*all", function() end)
`}, nil},
		{"any wildcard covered by any routes", []string{"routes.lua", header + `
app.any("/", function() end)
app.any("/:x", function() end)
app.any("/:x/*r", function() end)
app.any("//*r", function() end)
app.any("/*all", function() end)
`}, []string{"routes.lua:7: ANY /*all is never reached"}},
		{"shadowed mount", []string{"routes.lua", header + `
app.static("/s/", ".")
app.static("/s/img/", ".")
app.static("/t/img/", ".")
app.static("/t/", ".")
`}, []string{`routes.lua:4: app.static("/s/img/") is never reached: the earlier app.static("/s/") at`}},
		{"hooks twice", []string{"routes.lua", header + `
app.not_found(function() return 404 end)
app.on_error(function() return 500 end)
app.not_found(function() return 404 end)
`}, []string{"routes.lua:3: app.not_found is called again at"}},
		{"patterns", []string{"routes.lua", header + `
app.get("/search?q", function() end)
app.get("/caf%C3%A9", function() end)
app.get("/files/:name.json", function() end)
app.get("/user-:id", function() end)
app.get("/ok/:id/*", function() end)
`}, []string{
			"routes.lua:3: GET /search?q: the query string and fragment are not part of the path",
			"routes.lua:4: GET /caf%C3%A9: patterns match the decoded path",
			`routes.lua:5: GET /files/:name.json: parameter ":name.json" takes the whole segment`,
			`routes.lua:6: GET /user-:id: segment "user-:id" is matched literally`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := check(t, tc.files...)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("finding %d:\n got  %s\n want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestCheckTestFile: a test file is linted with the test globals declared
// (test, expect, get, ...), and a typo among them is still found.
func TestCheckTestFile(t *testing.T) {
	t.Parallel()
	got := check(t, "routes_test.lua", `-- luaserve: routes.lua
test("home", function()
  local res = get("/")
  expect(res.status).to_be(200)
  expect(json.decode(res.body)).to_equal({})
  post("/x", { a = 1 }); put("/x"); patch("/x"); delete("/x"); head("/"); options("/")
  request("GET", "/")
  if false then fail("never") end
  assert(res)
  expext(res.body).to_be("")
end)
`)
	if len(got) != 1 || !strings.Contains(got[0], "routes_test.lua:10: read of undeclared global 'expext'") {
		t.Fatalf("got %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"stauts", "status", 1}, {"status", "status", 0}, {"hedaers", "headers", 1}, {"bdy", "body", 1}, {"colour", "cookies", 5}} {
		if got := suggest.Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
