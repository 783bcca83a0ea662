package tests

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

const corsScript = `
local app = require("luaserve")
app.cors{
  origins = { "https://app.example", "http://localhost:5173" },
  methods = { "get", "post", "delete" },
  headers = { "Content-Type", "Authorization" },
  expose = { "X-Total" },
  credentials = true,
  max_age = 600,
}
app.use("/api", function(req)
  if req:header("Authorization") ~= "Bearer ok" then
    return { status = 401, json = { error = "unauthorised" } }
  end
end)
app.get("/api/items", function() return { json = { 1, 2 }, headers = { ["X-Total"] = 2 } } end)
app.get("/open", function() return "open" end)
app.get("/boom", function() error("x") end)
app.static("/files", "static")
`

func startCORS(t *testing.T, src string) *server {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "static", "a.txt"), "static file\n")
	cfg := engine.Config{Script: filepath.Join(dir, "routes.lua")}
	writeFile(t, cfg.Script, src)
	return startConfig(t, cfg)
}

func header(res *http.Response, name string) string {
	return strings.Join(res.Header.Values(name), ",")
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	s := startCORS(t, corsScript)
	c := client(t)
	// The preflight carries no Authorization: the middleware never sees it.
	res, _ := do(t, c, "OPTIONS", s.url+"/api/items", "", "Origin", "https://app.example",
		"Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "authorization")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://app.example",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET, POST, DELETE",
		"Access-Control-Allow-Headers":     "Content-Type, Authorization",
		"Access-Control-Max-Age":           "600",
	}
	if res.StatusCode != 204 {
		t.Fatalf("preflight: %d", res.StatusCode)
	}
	for k, v := range want {
		if got := header(res, k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	if v := header(res, "Vary"); !strings.Contains(v, "Origin") || !strings.Contains(v, "Access-Control-Request-Method") {
		t.Errorf("preflight Vary %q", v)
	}
	// A stranger's preflight: 204, but nothing that lets its page read.
	res, _ = do(t, c, "OPTIONS", s.url+"/api/items", "", "Origin", "https://evil.example",
		"Access-Control-Request-Method", "GET")
	if res.StatusCode != 204 || header(res, "Access-Control-Allow-Origin") != "" || header(res, "Access-Control-Allow-Credentials") != "" {
		t.Errorf("foreign preflight: %d %v", res.StatusCode, res.Header)
	}
	// A plain OPTIONS (no Origin) is still the router's.
	res, _ = do(t, c, "OPTIONS", s.url+"/open", "")
	if res.StatusCode != 204 || header(res, "Allow") == "" {
		t.Errorf("plain OPTIONS: %d %v", res.StatusCode, res.Header)
	}
}

func TestCORSActualResponses(t *testing.T) {
	t.Parallel()
	s := startCORS(t, corsScript)
	c := client(t)
	for _, tc := range []struct {
		name, path string
		headers    []string
		status     int
	}{
		{"route", "/api/items", []string{"Authorization", "Bearer ok"}, 200},
		{"middleware 401", "/api/items", nil, 401},
		{"404", "/nowhere", nil, 404},
		{"500", "/boom", nil, 500},
		{"static", "/files/a.txt", nil, 200},
	} {
		h := append([]string{"Origin", "http://localhost:5173"}, tc.headers...)
		res, _ := do(t, c, "GET", s.url+tc.path, "", h...)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.status)
		}
		if got := header(res, "Access-Control-Allow-Origin"); got != "http://localhost:5173" {
			t.Errorf("%s: Access-Control-Allow-Origin %q (never * with credentials)", tc.name, got)
		}
		if header(res, "Access-Control-Allow-Credentials") != "true" || header(res, "Access-Control-Expose-Headers") != "X-Total" {
			t.Errorf("%s: %v", tc.name, res.Header)
		}
		if !strings.Contains(header(res, "Vary"), "Origin") {
			t.Errorf("%s: no Vary: Origin", tc.name)
		}
	}
	// Another origin, and none: no Allow-Origin, but Vary all the same.
	for _, origin := range []string{"https://evil.example", "null", ""} {
		var h []string
		if origin != "" {
			h = []string{"Origin", origin}
		}
		res, body := do(t, c, "GET", s.url+"/open", "", h...)
		if body != "open" || header(res, "Access-Control-Allow-Origin") != "" || header(res, "Vary") != "Origin" {
			t.Errorf("origin %q: %q %v", origin, body, res.Header)
		}
	}
}

func TestCORSAnyAndFunction(t *testing.T) {
	t.Parallel()
	s := startCORS(t, `
local app = require("luaserve")
app.cors{ origins = "*" }
app.get("/", function() return "hi" end)
`)
	res, _ := do(t, client(t), "GET", s.url+"/", "", "Origin", "https://x.example")
	if header(res, "Access-Control-Allow-Origin") != "*" || header(res, "Vary") != "" {
		t.Errorf(`"*" without credentials: %v`, res.Header)
	}
	s = startCORS(t, `
local app = require("luaserve")
app.cors{ credentials = true, origins = function(o)
  if o == "https://boom.example" then error("bad origin fn") end
  return o:sub(-#".trusted.example") == ".trusted.example"
end }
app.get("/", function() return "hi" end)
`)
	c := client(t)
	for origin, allowed := range map[string]bool{"https://a.trusted.example": true, "https://trusted.example.evil": false,
		"https://boom.example": false} {
		res, body := do(t, c, "GET", s.url+"/", "", "Origin", origin)
		got := header(res, "Access-Control-Allow-Origin")
		if body != "hi" || (got == origin) != allowed || (!allowed && got != "") {
			t.Errorf("origin %q: %q, allow-origin %q", origin, body, got)
		}
	}
	if !strings.Contains(s.logs.String(), "bad origin fn") {
		t.Errorf("the failing origins function was not logged")
	}
}

func TestCORSOptionErrors(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]string{
		"no origins":     `{ methods = { "GET" } }`,
		"bad origin":     `{ origins = { "app.example" } }`,
		"path in origin": `{ origins = { "https://a.example/x" } }`,
		"unknown key":    `{ origins = "*", origin = "x" }`,
		"bad method":     `{ origins = "*", methods = { "GE T" } }`,
		"bad max_age":    `{ origins = "*", max_age = -1 }`,
		"empty list":     `{ origins = {} }`,
	} {
		src := "local app = require(\"luaserve\")\napp.cors" + opts + "\n"
		dir := t.TempDir()
		path := filepath.Join(dir, "routes.lua")
		writeFile(t, path, src)
		if _, err := engine.New(engine.Config{Script: path, Workers: 1}); err == nil || !strings.Contains(err.Error(), "app.cors") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// TestCORSOnTimeouts: a 504 (the route's state stopped) and a 503 (no
// state free) still carry the policy's headers, with or without hooks.
func TestCORSOnTimeouts(t *testing.T) {
	t.Parallel()
	for _, hook := range []string{"", `app.on_status(function(req, status) return { json = { status = status } } end)`} {
		st := newTestStore()
		release := st.holdDeaf(t, "hold")
		s := startSource(t, `
local app = require("luaserve")
local store = require("luaserve.store")
app.cors{ origins = { "https://app.example" }, credentials = true }
app.get("/spin", function() while true do end end)
app.get("/hold", function() store.set("hold", "1") return "held" end)
`+hook, engine.Config{Timeout: 300 * time.Millisecond, Workers: 1, Store: st})
		c := client(t)
		res, body := do(t, c, "GET", s.url+"/spin", "", "Origin", "https://app.example")
		if res.StatusCode != 504 || header(res, "Access-Control-Allow-Origin") != "https://app.example" {
			t.Errorf("hook %q: 504: %d %q %v", hook, res.StatusCode, body, res.Header)
		}
		if hook != "" && body != `{"status":504}` {
			t.Errorf("504 body %q", body)
		}
		held := goDo(c, "GET", s.url+"/hold", "")
		st.waitSet(t, "hold", held)
		res, body = do(t, c, "GET", s.url+"/spin", "", "Origin", "https://app.example")
		if res.StatusCode != 503 || header(res, "Access-Control-Allow-Origin") != "https://app.example" {
			t.Errorf("hook %q: 503: %d %q %v", hook, res.StatusCode, body, res.Header)
		}
		release()
		held.wait(t)
	}
}
