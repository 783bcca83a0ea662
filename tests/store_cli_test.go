package tests

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/luaserve/luaserve/store"
)

// storeScript exercises the shared store through routes.
const storeScript = `local app = require("luaserve")
local store = require("luaserve.store")
app.post("/hit", function() return tostring(store.incr("hits")) end)
app.get("/hits", function() return tostring(store.get("hits") or 0) end)
app.put("/raw", function(req) store.set("raw", req.body); store.set("t", { salt = req.body }, 3600); return "ok" end)
app.get("/raw", function() return store.get("raw") end)
app.get("/t", function()
  local t = store.get("t")
  return (t and t.salt or "none") .. "|" .. tostring(store.ttl("t") > 3000)
end)
`

// TestCLIStoreSurvivesRestart: with -store sqlite:PATH, values (binary ones
// byte for byte), ttls and counters are still there after a restart.
func TestCLIStoreSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", storeScript)
	raw := "\xff\xfe\x00\x01abc\x80"
	s := startCLI(t, dir, "-quiet", "-store", "sqlite:data.db", "routes.lua")
	c := client(t)
	do(t, c, "PUT", s.url+"/raw", raw)
	for range 3 {
		do(t, c, "POST", s.url+"/hit", "")
	}
	stopCLI(t, s, syscall.SIGTERM)

	s = startCLI(t, dir, "-quiet", "-store", "sqlite:data.db", "routes.lua")
	if _, body := do(t, c, "GET", s.url+"/raw", ""); body != raw {
		t.Errorf("raw after restart = %q, want %q", body, raw)
	}
	if _, body := do(t, c, "GET", s.url+"/t", ""); body != raw+"|true" {
		t.Errorf("table and ttl after restart = %q", body)
	}
	if _, body := do(t, c, "GET", s.url+"/hits", ""); body != "3" {
		t.Errorf("hits after restart = %q, want 3", body)
	}
}

// hammer sends POST /hit from 8 clients until stop closes, and counts the
// 2xx answers and the other ones.
func hammer(url string, stop <-chan struct{}) (ok, bad *atomic.Int64, wait func()) {
	ok, bad = &atomic.Int64{}, &atomic.Int64{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, _, err := doErr(c, "POST", url+"/hit", "")
				switch {
				case err != nil:
					// the server was killed mid-request: neither count
				case res.StatusCode/100 == 2:
					ok.Add(1)
				default:
					bad.Add(1)
				}
			}
		})
	}
	return ok, bad, wg.Wait
}

// TestCLIStoreConcurrentAndCrash: eight clients increment one counter in a
// SQLite store; no increment is lost or refused with "database is locked".
// Then the server is killed with SIGKILL in the middle of the same load:
// after a restart the file is intact and every answered increment counted.
func TestCLIStoreConcurrentAndCrash(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", storeScript)
	s := startCLI(t, dir, "-quiet", "-store", "sqlite:data.db", "routes.lua")
	c := client(t)
	stop := make(chan struct{})
	ok, bad, wait := hammer(s.url, stop)
	time.Sleep(2 * time.Second) // the load's duration, not a synchronisation
	close(stop)
	wait()
	if _, body := do(t, c, "GET", s.url+"/hits", ""); body != strconv.FormatInt(ok.Load(), 10) || bad.Load() != 0 {
		t.Fatalf("hits = %s after %d answered increments and %d refused", body, ok.Load(), bad.Load())
	}
	before := ok.Load()

	stop = make(chan struct{})
	ok, _, wait = hammer(s.url, stop)
	time.Sleep(time.Second) // the load's duration before the kill
	stopCLI(t, s, syscall.SIGKILL)
	close(stop)
	wait()

	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check after SIGKILL: %q %v", check, err)
	}
	db.Close()
	s = startCLI(t, dir, "-quiet", "-store", "sqlite:data.db", "routes.lua")
	_, body := do(t, c, "GET", s.url+"/hits", "")
	n, _ := strconv.ParseInt(body, 10, 64)
	// Each client had at most one increment in flight when the kill came.
	if acked := before + ok.Load(); n < acked || n > acked+8 {
		t.Fatalf("hits after SIGKILL = %d; answered %d (+ at most 8 in flight)", n, acked)
	}
	t.Logf("%d increments before the kill, %d after", before, ok.Load())
}

// redisURL is the Redis database the end-to-end tests use, emptied:
// $LUASERVE_TEST_REDIS_E2E, by default database 15 on the local server.
// Without a server the test skips, or fails when LUASERVE_REQUIRE_REDIS is
// set (CI starts one).
func redisURL(t *testing.T) string {
	url := os.Getenv("LUASERVE_TEST_REDIS_E2E")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	r, err := store.OpenRedis(context.Background(), url, 1)
	if err != nil {
		if os.Getenv("LUASERVE_REQUIRE_REDIS") != "" {
			t.Fatalf("LUASERVE_REQUIRE_REDIS is set: %v", err)
		}
		t.Skipf("no Redis: %v", err)
	}
	defer r.Close()
	keys, _ := r.Keys(context.Background(), "")
	for _, k := range keys {
		r.Delete(context.Background(), k)
	}
	return url
}

// TestCLIStoreRedisShared: two instances on one Redis store see one
// counter and one set of values, byte for byte; an unreachable Redis is a
// start-up error naming its address.
func TestCLIStoreRedisShared(t *testing.T) {
	url := redisURL(t)
	dir := scriptDir(t, "routes.lua", storeScript)
	a := startCLI(t, dir, "-quiet", "-store", url, "routes.lua")
	b := startCLI(t, dir, "-quiet", "-store", url, "routes.lua")
	c := client(t)
	raw := "\xff\x00bytes\x80"
	do(t, c, "PUT", a.url+"/raw", raw)
	if _, body := do(t, c, "GET", b.url+"/raw", ""); body != raw {
		t.Errorf("b reads %q, want what a wrote", body)
	}
	var wg sync.WaitGroup
	for _, s := range []*started{a, b, a, b} {
		wg.Go(func() {
			for range 50 {
				doErr(c, "POST", s.url+"/hit", "")
			}
		})
	}
	wg.Wait()
	if _, body := do(t, c, "GET", a.url+"/hits", ""); body != "200" {
		t.Errorf("hits = %s, want 200 from two instances", body)
	}
	_, stderr, code := cli(t, dir, "-store", "redis://127.0.0.1:1/0", "routes.lua")
	if code == 0 || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("unreachable Redis: exit %d, %q", code, stderr)
	}
}

// ownRedis starts a Redis server of the test's own on a free port and
// returns its URL and a function that stops it (and waits). Without
// redis-server the test skips, or fails when LUASERVE_REQUIRE_REDIS is set.
func ownRedis(t *testing.T, port int) (url string, stop func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("LUASERVE_REQUIRE_REDIS") != "" {
			t.Fatal("LUASERVE_REQUIRE_REDIS is set but redis-server is not on PATH")
		}
		t.Skip("no redis-server")
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	url = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := store.OpenRedis(context.Background(), url, 1)
		if err == nil {
			r.Close()
			return url, stop
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %d did not answer: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond) // polling, with the deadline above
	}
}

// freePort returns a TCP port nothing listens on (at the moment).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestCLIStoreRedisDown: while Redis is down, routes that use the store
// answer 503 (not a 500, not a wrong 200 built from a nil), the log says
// why, other routes serve on, and service resumes by itself when Redis is
// back on the same address.
func TestCLIStoreRedisDown(t *testing.T) {
	port := freePort(t)
	url, stop := ownRedis(t, port)
	dir := scriptDir(t, "routes.lua", storeScript+`app.get("/ok", function() return "ok" end)
app.get("/caught", function()
  local ok, err = pcall(store.get, "x")
  return { status = 200, body = tostring(ok) .. " " .. tostring(err) }
end)
`)
	s := startCLI(t, dir, "-quiet", "-store", url, "routes.lua")
	c := client(t)
	if res, body := do(t, c, "POST", s.url+"/hit", ""); res.StatusCode != 200 || body != "1" {
		t.Fatalf("before: %d %q", res.StatusCode, body)
	}
	stop()
	res, body := do(t, c, "POST", s.url+"/hit", "")
	if res.StatusCode != 503 || strings.Contains(body, "127.0.0.1") {
		t.Errorf("Redis down: %d %q; want 503 without the backend's address", res.StatusCode, body)
	}
	if _, body := do(t, c, "GET", s.url+"/caught", ""); !strings.HasPrefix(body, "false 503 Service Unavailable") {
		t.Errorf("pcall of a store call with Redis down: %q", body)
	}
	if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
		t.Errorf("a route without the store: %q", body)
	}
	waitLog(t, s.stderr, regexp.MustCompile(`backend unavailable.*127\.0\.0\.1:`+strconv.Itoa(port)))

	ownRedis(t, port) // back, empty, on the same address
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, body := do(t, c, "POST", s.url+"/hit", "")
		if res.StatusCode == 200 && body == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after Redis came back: %d %q", res.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond) // polling, with the deadline above
	}
}

// TestCLIStoreFlags: -store-max-memory bounds the memory store (the least
// recently used keys go, counted in stats), and a -store file that is not
// a SQLite database stops the start with its name.
func TestCLIStoreFlags(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
local store = require("luaserve.store")
app.get("/fill", function()
  for i = 1, 200 do store.set("k" .. i, string.rep("x", 100)) end
  local st = store.stats()
  return st.keys .. " " .. st.evictions .. " " .. tostring(st.bytes <= st.max_bytes) .. " " .. tostring(store.get("k200") ~= nil)
end)
`, "notdb.bin", strings.Repeat("not a database\n", 100))
	s := startCLI(t, dir, "-quiet", "-store-max-memory", "8KiB", "routes.lua")
	_, body := do(t, client(t), "GET", s.url+"/fill", "")
	var keys, evicted int
	var under, newest string
	fmt.Sscan(body, &keys, &evicted, &under, &newest)
	if keys >= 200 || evicted != 200-keys || under != "true" || newest != "true" {
		t.Errorf("200 sets into 8 KiB: %q (keys, evictions, within the bound, the newest kept)", body)
	}
	_, stderr, code := cli(t, dir, "-store", "sqlite:notdb.bin", "routes.lua")
	if code == 0 || !strings.Contains(stderr, "notdb.bin") {
		t.Errorf("-store on a file that is not SQLite: exit %d, %q", code, stderr)
	}
}
