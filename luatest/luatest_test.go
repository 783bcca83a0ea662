package luatest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// write creates files (name, content pairs) in a temporary folder and
// returns it.
func write(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runIn(t *testing.T, cfg Config, paths ...string) (Summary, string) {
	t.Helper()
	var out strings.Builder
	cfg.Out = &out
	sum, err := Run(cfg, paths)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum, out.String()
}

const echoRoutes = `local app = require("luaserve")
local store = require("luaserve.store")
app.route("*", "/echo", function(req)
  return { json = { method = req.method, query = req.query_string or "", body = req.body,
    ctype = req.headers["content-type"] or "", custom = req.headers["x-custom"] or "" } }
end)
app.get("/count", function() return tostring(store.incr("n")) end)
app.get("/boom", function() error("kaboom") end)
app.get("/headers", function() return { headers = { ["X-Thing"] = "yes" }, body = "" } end)
`

func TestClientAndMatchers(t *testing.T) {
	t.Parallel()
	dir := write(t, "routes.lua", echoRoutes, "routes_test.lua", `
test("get with query and headers", function()
  local res = get("/echo", { query = { a = "1" }, headers = { ["X-Custom"] = "c" } })
  expect(res.status).to_be(200)
  expect(res.headers["content-type"]).to_be("application/json")
  expect(res.json).to_equal({ method = "GET", query = "a=1", body = "", ctype = "", custom = "c" })
end)
test("post a table as JSON", function()
  local res = post("/echo", { x = { 1, 2 } })
  expect(res.json.ctype).to_be("application/json")
  expect(json.decode(res.json.body)).to_equal({ x = { 1, 2 } })
end)
test("post a form", function()
  local res = post("/echo", nil, { form = { name = "Ada L", tag = { "a", "b" } } })
  expect(res.json.ctype).to_be("application/x-www-form-urlencoded")
  expect(res.json.body).to_be("name=Ada+L&tag=a&tag=b")
end)
test("put, patch, delete and request", function()
  expect(put("/echo", "raw").json.body).to_be("raw")
  expect(patch("/echo", "p").json.method).to_be("PATCH")
  expect(delete("/echo").json.method).to_be("DELETE")
  expect(request("OPTIONS", "/echo").json.method).to_be("OPTIONS")
  expect(head("/headers").body).to_be("")
end)
test("headers are lower-case", function()
  expect(get("/headers").headers["x-thing"]).to_be("yes")
end)
test("matchers", function()
  expect(1).to_be(1)
  expect("abc").to_contain("b")
  expect({ 1, { a = 2 } }).to_contain({ a = 2 })
  expect("/todos/12"):to_match("^/todos/%d+$")
  expect(nil).to_be_nil()
  expect(0).to_be_truthy()
  expect(false).to_be_falsy()
  expect({ 1 }).not_to_equal({ 2 })
  expect(1).not_to_be(2)
  expect(json.decode("[1,null]")).to_equal({ 1, json.null })
  assert(true, "fine")
end)
test("the store is fresh in each test (1)", function()
  expect(get("/count").body).to_be("1")
  expect(get("/count").body).to_be("2")
end)
test("the store is fresh in each test (2)", function()
  expect(get("/count").body).to_be("1")
end)
test("a route error is a 500", function()
  expect(get("/boom").status).to_be(500)
end)
`)
	sum, out := runIn(t, Config{}, dir)
	if sum.Failed != 0 || sum.Passed != 9 {
		t.Fatalf("%+v\n%s", sum, out)
	}
	if !strings.HasSuffix(out, "9 passed, 0 failed\n") {
		t.Errorf("output does not end with the summary:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^PASS \S+routes_test.lua:2: get with query and headers \(\d+\.\d\dms\)$`).MatchString(out) {
		t.Errorf("unexpected test line format:\n%s", out)
	}
}

func TestFailuresShowWhereAndValues(t *testing.T) {
	t.Parallel()
	dir := write(t, "routes.lua", echoRoutes, "routes_test.lua", `test("passes", function() end)
test("wrong status", function()
  local res = get("/echo")
  expect(res.status).to_be(201)
end)
test("deep difference", function()
  expect({ a = { b = 1 } }).to_equal({ a = { b = 2 } })
end)
test("assert with a message", function()
  assert(1 == 2, "one is not two")
end)
test("a Lua error", function()
  local t = nil
  return t.x
end)
test("a route error shows the server log", function()
  expect(get("/boom").status).to_be(200)
end)
`)
	sum, out := runIn(t, Config{}, filepath.Join(dir, "routes_test.lua"))
	if sum.Passed != 1 || sum.Failed != 5 {
		t.Fatalf("%+v\n%s", sum, out)
	}
	for _, want := range []string{
		"routes_test.lua:2: wrong status (",
		"routes_test.lua:4: to_be: values differ\n        expected: 201\n        actual:   200\n",
		"routes_test.lua:7: to_equal: values differ at .a.b\n        expected: {a = {b = 2}}\n        actual:   {a = {b = 1}}\n",
		"routes_test.lua:10: assertion failed: one is not two\n",
		"routes_test.lua:14: attempt to index a non-table object(nil) with key 'x'",
		"log:\n", "kaboom",
		"1 passed, 5 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestScriptResolution(t *testing.T) {
	t.Parallel()
	ok := `test("ok", function() expect(get("/count").status).to_be(200) end)`
	dir := write(t,
		"api.lua", echoRoutes,
		"api_test.lua", ok, // by name
		"sub/routes.lua", echoRoutes,
		"sub/more_test.lua", ok, // routes.lua beside it
		"other/x_test.lua", "-- a test\n-- luaserve: ../api.lua\n"+ok, // by comment
		"lost/y_test.lua", ok, // none
	)
	for file, want := range map[string]string{
		"api_test.lua": "api.lua", "sub/more_test.lua": "sub/routes.lua", "other/x_test.lua": "other/../api.lua",
	} {
		got, err := ScriptFor(filepath.Join(dir, file))
		if err != nil || got != filepath.Join(dir, want) {
			t.Errorf("%s: %q, %v; want %s", file, got, err, want)
		}
	}
	if _, err := ScriptFor(filepath.Join(dir, "lost/y_test.lua")); err == nil {
		t.Error("lost/y_test.lua: no error")
	}
	sum, out := runIn(t, Config{}, dir)
	if sum.Files != 4 || sum.Passed != 3 || sum.Failed != 1 || !strings.Contains(out, "no routes script found") {
		t.Fatalf("%+v\n%s", sum, out)
	}
	// -script overrides.
	sum, out = runIn(t, Config{Script: filepath.Join(dir, "api.lua")}, filepath.Join(dir, "lost"))
	if sum.Passed != 1 || sum.Failed != 0 {
		t.Fatalf("%+v\n%s", sum, out)
	}
}

func TestFileLevelErrors(t *testing.T) {
	t.Parallel()
	dir := write(t, "routes.lua", "local app = require('luaserve')\napp.get('/', function()\n",
		"routes_test.lua", `test("x", function() end)`,
		"b/routes.lua", echoRoutes, "b/routes_test.lua", "test('x', function()\n")
	sum, out := runIn(t, Config{}, dir)
	if sum.Failed != 2 || !strings.Contains(out, "routes.lua:2: unexpected end of file") ||
		!strings.Contains(out, "routes_test.lua:1: unexpected end of file") {
		t.Fatalf("%+v\n%s", sum, out)
	}
	if _, err := Run(Config{}, []string{filepath.Join(dir, "nothing")}); err == nil {
		t.Error("a missing path: no error")
	}
	empty := t.TempDir()
	if _, err := Run(Config{}, []string{empty}); err != ErrNoTests {
		t.Errorf("no test files: %v", err)
	}
}

func TestRunFilter(t *testing.T) {
	t.Parallel()
	dir := write(t, "routes.lua", echoRoutes, "routes_test.lua",
		`test("alpha", function() end) test("beta", function() fail("no") end)`)
	sum, out := runIn(t, Config{Run: regexp.MustCompile("alp")}, dir)
	if sum.Passed != 1 || sum.Failed != 0 {
		t.Fatalf("%+v\n%s", sum, out)
	}
}

// TestHundredTestsRunFast: a file of 100 simple route tests runs in well
// under a second (about 25 ms here). The bound holds for a normal build;
// under the race detector the same file takes 0.3 s alone and over a
// second beside CI's other packages, so there it is only logged.
func TestHundredTestsRunFast(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "test(%q, function()\n  local res = get(\"/echo?i=%d\")\n  expect(res.status).to_be(200)\n  expect(res.json.query).to_be(\"i=%d\")\nend)\n", fmt.Sprint("test ", i), i, i)
	}
	dir := write(t, "routes.lua", echoRoutes, "routes_test.lua", b.String())
	start := time.Now()
	sum, out := runIn(t, Config{}, dir)
	took := time.Since(start)
	if sum.Passed != 100 || sum.Failed != 0 {
		t.Fatalf("%+v\n%s", sum, out)
	}
	t.Logf("100 tests in %v", took)
	if took > time.Second && !raceEnabled {
		t.Errorf("100 tests took %v", took)
	}
}
