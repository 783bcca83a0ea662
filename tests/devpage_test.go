package tests

import (
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// devRoutes fails in a helper called by a route, so that the traceback has
// a frame between the error and the route.
const devRoutes = `
local app = require("luaserve")
local function helper(x)
  error("custom failure " .. x)
end
app.get("/boom/:id", function(req)
  helper(req.params.id)
end)
app.use(function(req)
  if req.path == "/mw" then error("middleware failure") end
end)
`

func TestDevPageNamesRouteAndShowsRequest(t *testing.T) {
	t.Parallel()
	s := startSource(t, devRoutes, engine.Config{Dev: true})
	c := client(t)
	for _, accept := range []string{"text/plain", "text/html"} {
		res, body := do(t, c, "GET", s.url+"/boom/7?page=2&access_token=tok-QQQ", "",
			"Accept", accept,
			"Authorization", "Bearer sekret-AAA",
			"Proxy-Authorization", "Basic sekret-BBB",
			"Cookie", "sid=sekret-CCC; theme=dark",
			"X-Api-Key", "sekret-DDD",
			"X-Csrf-Token", "sekret-EEE",
			"X-Trace", "visible-FFF")
		if res.StatusCode != 500 {
			t.Fatalf("%s: status %d", accept, res.StatusCode)
		}
		if strings.Contains(body, "main chunk") {
			t.Errorf("%s: the traceback calls the route the main chunk:\n%s", accept, body)
		}
		for _, want := range []string{"in route GET /boom/:id", "in function", "helper",
			"GET", "/boom/7", "page", "visible-FFF", "Bearer", "sid=", "theme=", "X-Api-Key", "masked"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q:\n%s", accept, want, body)
			}
		}
		if strings.Contains(body, "sekret") || strings.Contains(body, "tok-QQQ") || strings.Contains(body, "dark") {
			t.Errorf("%s: page shows a secret:\n%s", accept, body)
		}
	}
	// Middleware is named as such, not as the route it ran before.
	_, body := do(t, c, "GET", s.url+"/mw", "")
	if !strings.Contains(body, "in middleware") || strings.Contains(body, "main chunk") {
		t.Errorf("middleware frame:\n%s", body)
	}
}

// TestDevPageEscapesTheRequest sends markup in the path, the query and a
// header: the HTML page must show it as text.
func TestDevPageEscapesTheRequest(t *testing.T) {
	t.Parallel()
	s := startSource(t, devRoutes, engine.Config{Dev: true})
	res, body := do(t, client(t), "GET",
		s.url+"/boom/%3Cscript%3Ealert(1)%3C%2Fscript%3E?q=%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E&%3Cb%3E=1", "",
		"Accept", "text/html", "X-Evil", `"><svg onload=alert(3)>`)
	if res.StatusCode != 500 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"<script>", "<img", "<svg", "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("page carries raw %q:\n%s", bad, body)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;",
		"&lt;svg onload=alert(3)&gt;", "<th>&lt;b&gt;</th>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks the escaped %q:\n%s", want, body)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}

// TestMisspeltResponseKeyWarnsOncePerRoute: without -dev, a "stauts" is
// still sent as the 200 it means, and the log says so once per route, with
// the key it probably meant.
func TestMisspeltResponseKeyWarnsOncePerRoute(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.get("/a", function() return { stauts = 404, body = "a" } end)
app.get("/b", function() return { body = "b", colour = "red" } end)
app.get("/ok", function() return { status = 200, body = "ok" } end)
`, engine.Config{})
	c := client(t)
	for range 3 {
		for _, p := range []string{"/a", "/b", "/ok"} {
			if res, body := do(t, c, "GET", s.url+p, ""); res.StatusCode != 200 || body != p[1:] {
				t.Fatalf("%s: %d %q", p, res.StatusCode, body)
			}
		}
	}
	logs := s.logs.String()
	const msg = "response table has a key the server ignores"
	if n := strings.Count(logs, msg); n != 2 {
		t.Errorf("%d warnings, want 2 (one per route):\n%s", n, logs)
	}
	for _, want := range []string{`route="GET /a" key=stauts did_you_mean=status`, `route="GET /b" key=colour`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "key=colour did_you_mean") {
		t.Errorf("a suggestion for a key like no other:\n%s", logs)
	}
}
