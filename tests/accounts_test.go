package tests

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// TestAccounts: sign-up hashes a password into the store, log-in returns a
// JWT, and a route requires it, through real sockets; bad tokens, a huge
// one included, get 401 or 431 and the server keeps serving.
func TestAccounts(t *testing.T) {
	t.Parallel()
	s := start(t, "accounts.lua", engine.Config{Workers: 2, Timeout: 5 * time.Second})
	c := client(t)
	ct := []string{"Content-Type", "application/json"}
	if res, body := do(t, c, "POST", s.url+"/signup", `{"user":"ann","password":"correct horse"}`, ct...); res.StatusCode != 201 {
		t.Fatalf("signup: %d %s", res.StatusCode, body)
	}
	res, body := do(t, c, "POST", s.url+"/signup", `{"user":"a b","password":"short"}`, ct...)
	if want := `{"errors":[{"field":"password","message":"must be at least 8 characters"},` +
		`{"field":"user","message":"is not in the expected format"}]}`; res.StatusCode != 422 || body != want {
		t.Errorf("bad signup: %d %s, want 422 %s", res.StatusCode, body, want)
	}
	if res, _ := do(t, c, "POST", s.url+"/signup", `{"user":"ann","password":"another one"}`, ct...); res.StatusCode != 409 {
		t.Errorf("second signup: %d", res.StatusCode)
	}
	for _, bad := range []string{`{"user":"ann","password":"wrong horse"}`, `{"user":"bob","password":"correct horse"}`, `{}`} {
		if res, body := do(t, c, "POST", s.url+"/login", bad, ct...); res.StatusCode != 401 {
			t.Errorf("login %s: %d %s", bad, res.StatusCode, body)
		}
	}
	res, body = do(t, c, "POST", s.url+"/login", `{"user":"ann","password":"correct horse"}`, ct...)
	var login struct{ Token string }
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &login) != nil || strings.Count(login.Token, ".") != 2 {
		t.Fatalf("login: %d %s", res.StatusCode, body)
	}
	me := func(auth string) (int, string) {
		t.Helper()
		res, body := do(t, c, "GET", s.url+"/api/me", "", "Authorization", auth)
		return res.StatusCode, body
	}
	if code, body := me("Bearer " + login.Token); code != 200 || !strings.Contains(body, `"name":"ann"`) {
		t.Fatalf("me: %d %s", code, body)
	}
	parts := strings.Split(login.Token, ".")
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct{ name, auth, reason string }{
		{"none", "", "malformed token"},
		{"tampered", "Bearer " + parts[0] + "." + enc([]byte(`{"sub":"x","name":"root","exp":9999999999}`)) + "." + parts[2], "signature does not match"},
		{"alg_none", "Bearer " + enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", "unsigned tokens are never accepted"},
		{"huge_header", "Bearer " + enc([]byte(`{"alg":"HS256","x":"`+strings.Repeat("x", 4000)+`"}`)) + "." + parts[1] + "." + parts[2], "header over 1024 bytes"},
		{"huge_token", "Bearer " + login.Token + strings.Repeat("A", 20000), "token too large: 20"},
	} {
		if code, body := me(tc.auth); code != 401 || !strings.Contains(body, tc.reason) {
			t.Errorf("%s: %d %s, want 401 with %q", tc.name, code, body, tc.reason)
		}
	}
	// Past the header limit the core answers before any Lua runs.
	if code, _ := me("Bearer " + strings.Repeat("A", 64<<10)); code != 431 {
		t.Errorf("a 64 KiB token: %d, want 431", code)
	}
	if code, _ := me("Bearer " + login.Token); code != 200 {
		t.Errorf("after the hostile tokens: %d", code)
	}
}

// TestHugeTokenRawSocket: a token far past every limit, sent raw, gets a
// 4xx on the same socket, and the next connection is served.
func TestHugeTokenRawSocket(t *testing.T) {
	t.Parallel()
	s := start(t, "accounts.lua", engine.Config{Workers: 2, Timeout: 5 * time.Second})
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go conn.Write([]byte("GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + strings.Repeat("e", 1<<20) + "\r\n\r\n"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, _ := conn.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 431 ") {
		t.Fatalf("got %q, want 431", buf[:n])
	}
	if code, body := do(t, client(t), "GET", s.url+"/api/me", "", "Authorization", "Bearer x.y.z"); code.StatusCode != 401 || !strings.Contains(body, "jwt:") {
		t.Fatalf("next request: %d %s", code.StatusCode, body)
	}
}

// TestHashWaitersTimeOut: password hashes run at most GOMAXPROCS at a
// time; requests queued behind them give up when their time limit passes
// (504, the log naming hash_password) instead of each starting a hash, and
// the server serves on. A hash that started runs to its end (argon2 cannot
// be interrupted), and its route may then answer. The time limit is well
// under one hash (32 MiB, 16 passes: about 0.3 s on a quiet machine), so
// the hashes that hold the slots outlast every waiter's limit.
func TestHashWaitersTimeOut(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
local crypto = require("luaserve.crypto")
app.get("/slow", function() return crypto.hash_password("pw", { memory = 32768, time = 16 }) end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Workers: 2*runtime.GOMAXPROCS(0) + 2, Timeout: 100 * time.Millisecond})
	c := client(t)
	n := runtime.GOMAXPROCS(0) + 2
	calls := make([]*call, n)
	for i := range calls {
		calls[i] = goDo(c, "GET", s.url+"/slow", "")
	}
	timedOut := 0
	for i, cl := range calls {
		switch res, body := cl.wait(t); res.StatusCode {
		case 504:
			timedOut++
		case 200:
		default:
			t.Errorf("call %d: %d %s, want 504 or 200", i, res.StatusCode, body)
		}
	}
	if timedOut < n-runtime.GOMAXPROCS(0) {
		t.Errorf("%d of %d calls timed out, want at least %d", timedOut, n, n-runtime.GOMAXPROCS(0))
	}
	if !strings.Contains(s.logs.String(), "crypto.hash_password:") {
		t.Errorf("no request gave up waiting for a hash:\n%s", s.logs.String())
	}
	if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
		t.Errorf("/ok: %q", body)
	}
}

// TestExampleAccountsSignupRace: sign-ups of one name sent at once to the
// accounts example, on as many states: exactly one wins, the others get
// 409, and log-in takes the winner's password.
func TestExampleAccountsSignupRace(t *testing.T) {
	t.Parallel()
	const n = 4
	s := start(t, "../../examples/accounts/routes.lua", engine.Config{Workers: n, Timeout: 10 * time.Second})
	c := client(t)
	calls := make([]*call, n)
	for i := range calls {
		calls[i] = goDo(c, "POST", s.url+"/signup", fmt.Sprintf(`{"user":"ann","password":"password %d"}`, i))
	}
	winner, lost := -1, 0
	for i, cl := range calls {
		switch res, body := cl.wait(t); res.StatusCode {
		case 201:
			if winner >= 0 {
				t.Errorf("sign-ups %d and %d both won", winner, i)
			}
			winner = i
		case 409:
			lost++
		default:
			t.Errorf("sign-up %d: %d %s", i, res.StatusCode, body)
		}
	}
	if winner < 0 || lost != n-1 {
		t.Fatalf("winner %d, %d lost", winner, lost)
	}
	login := func(i int) int {
		res, _ := do(t, c, "POST", s.url+"/login", fmt.Sprintf(`{"user":"ann","password":"password %d"}`, i))
		return res.StatusCode
	}
	if code := login(winner); code != 200 {
		t.Errorf("the winner's log-in: %d", code)
	}
	if code := login((winner + 1) % n); code != 401 {
		t.Errorf("a loser's log-in: %d", code)
	}
}
