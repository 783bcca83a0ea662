package tests

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/store"
)

// browserAPI is a JSON API for a front end on another origin: a session
// cookie set by log-in, a route behind it, an upload.
const browserAPI = `
local app = require("luaserve")
local store = require("luaserve.store")
app.sessions{}
app.cors{ origins = { PAGE_ORIGIN }, credentials = true, headers = { "Content-Type", "X-Client" } }
app.after(function(req, res)
  if req.method == "OPTIONS" then store.incr("preflights") end
end)
app.post("/login", function(req)
  local body = req:json()
  req.session.user = body.user
  return { json = { ok = true } }
end)
app.get("/me", function(req)
  if not req.session.user then return { status = 401, json = { error = "log in" } } end
  return { json = { user = req.session.user } }
end)
app.post("/upload", function(req)
  local fields, files = req:form()
  local f = files.avatar
  local data = f.content
  if f.path then local h = assert(io.open(f.path, "rb")) data = h:read("*a") h:close() end
  store.set("upload", data)
  return string.format("%s %s %s %d", fields.name, f.filename, f.content_type, f.size)
end)
`

// browserPage calls the API from another port with fetch and credentials.
const browserPage = `
local app = require("luaserve")
app.get("/", function() return { html = [[<!doctype html><pre id="out">pending</pre><script>
const API = new URLSearchParams(location.search).get("api");
(async () => {
  const out = [];
  try {
    const h = { "Content-Type": "application/json", "X-Client": "page" };
    let r = await fetch(API + "/login", { method: "POST", credentials: "include", headers: h, body: '{"user":"ada"}' });
    out.push("login " + r.status);
    r = await fetch(API + "/me", { credentials: "include", headers: { "X-Client": "page" } });
    out.push("me " + r.status + " " + await r.text());
    const bytes = new Uint8Array(70000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 255;
    const fd = new FormData();
    fd.append("name", "ada");
    fd.append("avatar", new Blob([bytes], { type: "image/png" }), "me.png");
    r = await fetch(API + "/upload", { method: "POST", credentials: "include", body: fd });
    out.push("upload " + r.status + " " + await r.text());
  } catch (e) { out.push("error " + e); }
  document.getElementById("out").textContent = out.join("|");
})();
</script>]] } end)
`

// TestBrowserCORSAndUpload: headless Chromium loads a page from one
// luaserve and, from it, logs in to an API on another port with a
// credentialed cross-origin fetch (a preflight first), reads a route
// behind the session cookie, and uploads a file that arrives byte for byte.
func TestBrowserCORSAndUpload(t *testing.T) {
	bin := chromiumPath(t)
	t.Parallel()
	page := startSource(t, browserPage, engine.Config{})
	st := store.NewMemory(0)
	api := startSource(t, strings.Replace(browserAPI, "PAGE_ORIGIN", fmt.Sprintf("%q", page.url), 1),
		engine.Config{Store: st, SessionSecrets: []string{secret1}})
	got := runChromium(t, bin, page.url+"/?api="+api.url)
	want := `login 200|me 200 {"user":"ada"}|upload 200 ada me.png image/png 70000`
	if got != want {
		t.Fatalf("the page says\n%s\nwant\n%s\nAPI log:\n%s", got, want, api.logs.String())
	}
	ctx := context.Background()
	// store.incr keeps a decimal count; store.set a type byte, 's' for a
	// string, then its bytes (lua/stdlib/store/codec.go).
	if n, ok, err := st.Get(ctx, "preflights"); !ok || err != nil || string(n) == "0" {
		t.Errorf("no preflight reached the API (%q, %v)", n, err)
	}
	data, _, err := st.Get(ctx, "upload")
	if len(data) > 0 && data[0] == 's' {
		data = data[1:]
	}
	wantData := make([]byte, 70000)
	for i := range wantData {
		wantData[i] = byte(i*7 + 3)
	}
	if err != nil || !bytes.Equal(data, wantData) {
		t.Errorf("the upload did not arrive byte for byte (%d bytes, %v)", len(data), err)
	}
}

var outRE = regexp.MustCompile(`(?s)<pre id="out">(.*?)</pre>`)

func runChromium(t *testing.T, bin, url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=20000", "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	m := outRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no result in the page:\n%s\n%s", out, stderr.String())
	}
	return string(m[1])
}
