package tests

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
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

// stopCLI ends s with sig and waits for the process to go.
func stopCLI(t *testing.T, s *started, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	s.cmd.Process.Wait()
}

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
	t.Log(fmt.Sprintf("%d increments before the kill, %d after", before, ok.Load()))
}
