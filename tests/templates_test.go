package tests

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// templatesRoutes serves the templates of startTemplates: /page renders
// the query's fields into page.html; /render/<name> renders any name.
const templatesRoutes = `
local app = require("luaserve")
local res = require("luaserve.response")
local template = require("luaserve.template")
app.get("/page", function(req)
  return res.render("page.html", { title = req.query.t, body = req.query.b, link = req.query.l,
    js = req.query.j, user = { name = req.query.n or "" }, links = { { href = req.query.l, text = req.query.b } } },
    200, { layout = "views/layout.html" })
end)
app.get("/render/*name", function(req)
  return res.render(req.params.name, {})
end)
app.get("/direct", function(req)
  return { html = template.render("views/layout.html", { links = {} }), headers = { ["x-direct"] = "1" } }
end)
`

// startTemplates serves templatesRoutes beside a layout, a partial, a page
// and two broken templates, in a folder of their own.
func startTemplates(t *testing.T) (*server, string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"routes.lua":         templatesRoutes,
		"views/layout.html":  `<title>{{block "title" .}}Site{{end}}</title>{{template "views/nav.html" .}}<main>{{block "main" .}}{{end}}</main>`,
		"views/nav.html":     `<nav>{{range .links}}<a href="{{.href}}">{{.text}}</a>{{end}}</nav>`,
		"page.html":          `{{define "title"}}{{.title}}{{end}}{{define "main"}}<p title="{{.title}}">{{.body}}</p><a href="{{.link}}">l</a><script>var j = {{.js}};</script>{{end}}`,
		"broken.html":        "fine\n{{if .x}}\n{{end\n",
		"exec.html":          "a\nb {{len 3}}\n",
		"../outside.html":    "secret",
		"views/partial.html": "not used",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, text)
	}
	return startConfig(t, engine.Config{Script: filepath.Join(dir, "routes.lua"), Workers: 2, Timeout: 5 * time.Second}), dir
}

// TestTemplateEscaping: hostile query values land escaped for their
// context (text, attribute, URL, script) in a page with a layout and a
// partial, through real sockets.
func TestTemplateEscaping(t *testing.T) {
	t.Parallel()
	s, _ := startTemplates(t)
	c := client(t)
	q := url.Values{"t": {`"><script>alert(1)</script>`}, "b": {"<img src=x onerror=alert(1)>"},
		"l": {"javascript:alert(1)"}, "j": {"</script><script>alert(1)//"}}
	res, body := do(t, c, "GET", s.url+"/page?"+q.Encode(), "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	want := `<title>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>` +
		`<nav><a href="#ZgotmplZ">&lt;img src=x onerror=alert(1)&gt;</a></nav>` +
		`<main><p title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;img src=x onerror=alert(1)&gt;</p>` +
		`<a href="#ZgotmplZ">l</a><script>var j = "\u003c/script\u003e\u003cscript\u003ealert(1)//";</script></main>`
	if body != want {
		t.Errorf("got\n%s\nwant\n%s", body, want)
	}
	for _, bad := range []string{"<script>alert", "<img", "javascript:", `"><`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	q = url.Values{"t": {"Hi"}, "b": {"b & c"}, "l": {"/x?a=1&b=2"}, "j": {"s"}}
	if _, body := do(t, c, "GET", s.url+"/page?"+q.Encode(), ""); !strings.Contains(body, `<a href="/x?a=1&amp;b=2">b &amp; c</a>`) {
		t.Errorf("a harmless link: %s", body)
	}
	if res, body := do(t, c, "GET", s.url+"/direct", ""); res.StatusCode != 200 || res.Header.Get("X-Direct") != "1" ||
		body != `<title>Site</title><nav></nav><main></main>` {
		t.Errorf("template.render in a route: %d %s", res.StatusCode, body)
	}
}

// TestTemplateErrors: a missing template, a syntax error, an execution
// error and a name leaving the folder each answer a generic 500, with the
// template's file and line (or the refusal) in the log; the server keeps
// serving.
func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	s, _ := startTemplates(t)
	c := client(t)
	for _, tc := range []struct{ path, log string }{
		{"/render/missing.html", "template missing.html not found in "},
		{"/render/broken.html", "template: broken.html:4: unclosed action started at broken.html:3"},
		{"/render/exec.html", `template: exec.html:2:4: executing \"exec.html\" at <len 3>: error calling len`},
		{"/render/..%2Foutside.html", `template name \"../outside.html\" leaves the script's folder`},
		{"/render/views/..%2F..%2Foutside.html", "leaves the script's folder"},
	} {
		res, body := do(t, c, "GET", s.url+tc.path, "")
		if res.StatusCode != 500 || strings.Contains(body, "template") || strings.Contains(body, "secret") {
			t.Errorf("%s: %d %q, want a generic 500", tc.path, res.StatusCode, body)
		}
		if !strings.Contains(s.logs.String(), tc.log) {
			t.Errorf("%s: the log lacks %q:\n%s", tc.path, tc.log, s.logs.String())
		}
	}
	if res, _ := do(t, c, "GET", s.url+"/direct", ""); res.StatusCode != 200 {
		t.Errorf("after the errors: %d", res.StatusCode)
	}
}

// TestTemplateChangeSeen: editing a template while serving changes the
// next page, without a reload; fixing a broken one fixes the page.
func TestTemplateChangeSeen(t *testing.T) {
	t.Parallel()
	s, dir := startTemplates(t)
	c := client(t)
	if res, _ := do(t, c, "GET", s.url+"/render/broken.html", ""); res.StatusCode != 500 {
		t.Fatalf("broken: %d", res.StatusCode)
	}
	writeFile(t, filepath.Join(dir, "broken.html"), "fixed {{len .}}")
	if res, body := do(t, c, "GET", s.url+"/render/broken.html", ""); res.StatusCode != 200 || body != "fixed 0" {
		t.Errorf("after the fix: %d %s", res.StatusCode, body)
	}
	writeFile(t, filepath.Join(dir, "views/nav.html"), "<nav>changed, longer</nav>")
	if _, body := do(t, c, "GET", s.url+"/direct", ""); !strings.Contains(body, "<nav>changed, longer</nav>") {
		t.Errorf("after the partial changed: %s", body)
	}
}
