package tests

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

const sessionScript = `
local app = require("luaserve")
app.sessions{ max_age = 3600 }
app.post("/login", function(req) req.session.user = req.query.user return "ok" end)
app.get("/me", function(req) return { json = { user = req.session.user or "nobody" } } end)
app.post("/logout", function(req) req.session = {} return "bye" end)
app.get("/form", function(req) return req:csrf_token() end)
app.post("/form", function(req) req:verify_csrf() return "posted" end)
app.get("/big", function(req) req.session.blob = string.rep("x", 5000) return "x" end)
app.on_status(function(req, status, reason) return { json = { status = status, reason = reason } } end)
`

var (
	secret1 = strings.Repeat("a1", 20)
	secret2 = strings.Repeat("b2", 20)
)

func startSessions(t *testing.T, secrets ...string) *server {
	return startSource(t, sessionScript, engine.Config{SessionSecrets: secrets})
}

// sessionCookie returns the session cookie a response set ("" for none).
func sessionCookie(t *testing.T, res *http.Response) (value, raw string) {
	t.Helper()
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "luaserve_session=") {
			v, _, _ := strings.Cut(strings.TrimPrefix(c, "luaserve_session="), ";")
			return v, c
		}
	}
	return "", ""
}

func me(t *testing.T, s *server, cookie string) string {
	t.Helper()
	res, body := do(t, client(t), "GET", s.url+"/me", "", "Cookie", "luaserve_session="+cookie)
	if res.StatusCode != 200 {
		t.Fatalf("/me: %d %q", res.StatusCode, body)
	}
	if v, _ := sessionCookie(t, res); v != "" {
		t.Errorf("/me only read the session but set a cookie")
	}
	return body
}

func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	s := startSessions(t, secret1)
	c := client(t)
	// A name long enough that random ciphertext cannot hold it by chance
	// (a three-letter one did, once in a few thousand runs).
	res, _ := do(t, c, "POST", s.url+"/login?user=ada-lovelace-1815", "")
	cookie, raw := sessionCookie(t, res)
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Max-Age=3600", "Path=/"} {
		if !strings.Contains(raw, attr) {
			t.Errorf("Set-Cookie %q lacks %s", raw, attr)
		}
	}
	plain, _ := base64.RawURLEncoding.DecodeString(cookie)
	if cookie == "" || strings.Contains(cookie, "lovelace") || strings.Contains(string(plain), "lovelace") {
		t.Fatalf("cookie %q: missing, or not encrypted", cookie)
	}
	if got := me(t, s, cookie); got != `{"user":"ada-lovelace-1815"}` {
		t.Fatalf("/me: %s", got)
	}
	res, _ = do(t, c, "POST", s.url+"/logout", "", "Cookie", "luaserve_session="+cookie)
	if _, raw := sessionCookie(t, res); !strings.Contains(raw, "Max-Age=0") {
		t.Errorf("logout: Set-Cookie %q", raw)
	}
	// Too large for a cookie: a route error, not a broken cookie.
	if res, _ := do(t, c, "GET", s.url+"/big", ""); res.StatusCode != 500 {
		t.Errorf("5 KB session: %d", res.StatusCode)
	}
}

// TestSessionTampered: every flipped bit, a foreign or garbage cookie: an
// empty session, never a 500.
func TestSessionTampered(t *testing.T) {
	t.Parallel()
	s := startSessions(t, secret1)
	res, _ := do(t, client(t), "POST", s.url+"/login?user=ada", "")
	cookie, _ := sessionCookie(t, res)
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(raw); i += 3 { // version, nonce, expiry, data, tag
		b := append([]byte(nil), raw...)
		b[i] ^= 0x10
		if got := me(t, s, base64.RawURLEncoding.EncodeToString(b)); got != `{"user":"nobody"}` {
			t.Fatalf("bit flipped at byte %d: %s", i, got)
		}
	}
	for _, bad := range []string{"", "%%%", "AQ", strings.Repeat("A", 3000), cookie[:len(cookie)-4]} {
		if got := me(t, s, bad); got != `{"user":"nobody"}` {
			t.Errorf("cookie %.20q: %s", bad, got)
		}
	}
}

func TestSessionRotation(t *testing.T) {
	t.Parallel()
	old := startSessions(t, secret1)
	res, _ := do(t, client(t), "POST", old.url+"/login?user=ada", "")
	cookie, _ := sessionCookie(t, res)
	rotated := startSessions(t, secret2, secret1)
	if got := me(t, rotated, cookie); got != `{"user":"ada"}` {
		t.Errorf("an old secret's cookie after rotation: %s", got)
	}
	res, _ = do(t, client(t), "POST", rotated.url+"/login?user=bob", "", "Cookie", "luaserve_session="+cookie)
	fresh, _ := sessionCookie(t, res)
	if got := me(t, startSessions(t, secret2), fresh); got != `{"user":"bob"}` {
		t.Errorf("a rewritten cookie does not use the new secret: %s", got)
	}
	if got := me(t, startSessions(t, secret2), cookie); got != `{"user":"nobody"}` {
		t.Errorf("a retired secret's cookie still opens: %s", got)
	}
}

func TestSessionCSRF(t *testing.T) {
	t.Parallel()
	s := startSessions(t, secret1)
	c := client(t)
	res, token := do(t, c, "GET", s.url+"/form", "")
	cookie, _ := sessionCookie(t, res)
	if len(token) < 40 || cookie == "" {
		t.Fatalf("token %q, cookie %q", token, cookie)
	}
	form := "application/x-www-form-urlencoded"
	// The token with its first character changed: "x" + token[1:] was the
	// token itself once in 64 runs.
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}
	for _, tc := range []struct {
		name, body string
		headers    []string
		status     int
	}{
		{"form field", "csrf_token=" + url.QueryEscape(token), []string{"Content-Type", form, "Cookie", "luaserve_session=" + cookie}, 200},
		{"header", "", []string{"X-CSRF-Token", token, "Cookie", "luaserve_session=" + cookie}, 200},
		{"no token", "a=b", []string{"Content-Type", form, "Cookie", "luaserve_session=" + cookie}, 403},
		{"wrong token", "csrf_token=" + url.QueryEscape(wrong), []string{"Content-Type", form, "Cookie", "luaserve_session=" + cookie}, 403},
		{"no session", "csrf_token=" + url.QueryEscape(token), []string{"Content-Type", form}, 403},
	} {
		res, body := do(t, c, "POST", s.url+"/form", tc.body, tc.headers...)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d %q, want %d", tc.name, res.StatusCode, body, tc.status)
		}
	}
}

func TestSessionNeedsSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "routes.lua")
	if err := os.WriteFile(path, []byte(sessionScript), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, secrets := range [][]string{nil, {"short"}, {secret1, "short"}} {
		_, err := engine.New(engine.Config{Script: path, Workers: 1, SessionSecrets: secrets})
		if err == nil || !strings.Contains(err.Error(), "secret") {
			t.Errorf("secrets %q: err %v", secrets, err)
		}
	}
}
