package tests

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/engine"
)

// itemsScript keeps items in luaserve.db: POST /items?v=... inserts one,
// GET /items lists the values, GET /integrity runs SQLite's check.
const itemsScript = `
local app = require("luaserve")
local db = require("luaserve.db")
db.migrate({ "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT NOT NULL)" })
app.post("/items", function(req)
  local _, id = db.exec("INSERT INTO items (v) VALUES (?)", req.query.v)
  return { status = 201, json = { id = id } }
end)
app.get("/items", function()
  local out = {}
  for i, r in ipairs(db.query("SELECT v FROM items ORDER BY id")) do out[i] = r.v end
  return table.concat(out, "\n")
end)
app.get("/integrity", function() return db.value("PRAGMA integrity_check") end)
app.get("/plain", function() return "no database here" end)
`

// stopCLI ends the process with sig and waits for it.
func stopCLI(t *testing.T, s *started, sig syscall.Signal) {
	t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("luaserve did not exit after %v", sig)
	}
	s.cmd.Wait()
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	res, body := do(t, c, "GET", url, "")
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	return body
}

// TestDBFileCreatedOnFirstUseAndSurvivesRestart: the database is a file
// beside the script, made only when a route first uses it, and its rows
// are there after a restart.
func TestDBFileCreatedOnFirstUseAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	plain := scriptDir(t, "routes.lua", `require("luaserve").get("/", function() return "hi" end)`)
	s := startCLI(t, plain, "-quiet", "routes.lua")
	get(t, client(t), s.url+"/")
	stopCLI(t, s, syscall.SIGTERM)
	if _, err := os.Stat(filepath.Join(plain, "routes.db")); err == nil {
		t.Errorf("a script that never uses luaserve.db created routes.db")
	}

	dir := scriptDir(t, "routes.lua", itemsScript)
	c := client(t)
	s = startCLI(t, dir, "-quiet", "routes.lua")
	for _, v := range []string{"one", "two", "it's three"} {
		if res, body := do(t, c, "POST", s.url+"/items?v="+strings.ReplaceAll(v, " ", "%20"), ""); res.StatusCode != 201 {
			t.Fatalf("POST: %d %s", res.StatusCode, body)
		}
	}
	stopCLI(t, s, syscall.SIGTERM)
	if _, err := os.Stat(filepath.Join(dir, "routes.db")); err != nil {
		t.Fatalf("no routes.db beside the script: %v", err)
	}
	s = startCLI(t, dir, "-quiet", "routes.lua")
	if got := get(t, c, s.url+"/items"); got != "one\ntwo\nit's three" {
		t.Fatalf("after restart: %q", got)
	}
}

// TestDBCrashSafety: SIGKILL in the middle of concurrent inserts; after a
// restart the database passes integrity_check and holds every insert that
// was answered 2xx.
func TestDBCrashSafety(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", itemsScript)
	s := startCLI(t, dir, "-quiet", "-db", "data.db", "routes.lua")
	c := client(t)
	var mu sync.Mutex
	answered := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				res, _, err := doErr(c, "POST", s.url+"/items?v="+v, "")
				if err == nil && res.StatusCode == 201 {
					mu.Lock()
					answered[v] = true
					mu.Unlock()
				}
			}
		})
	}
	time.AfterFunc(2*time.Second, func() { s.cmd.Process.Kill() })
	<-s.exited
	close(stop)
	wg.Wait()
	s.cmd.Wait()
	if len(answered) < 50 {
		t.Fatalf("only %d inserts answered before the kill", len(answered))
	}
	s = startCLI(t, dir, "-quiet", "-db", "data.db", "routes.lua")
	if got := get(t, c, s.url+"/integrity"); got != "ok" {
		t.Fatalf("integrity_check: %q", got)
	}
	stored := map[string]bool{}
	for _, v := range strings.Split(get(t, c, s.url+"/items"), "\n") {
		stored[v] = true
	}
	for v := range answered {
		if !stored[v] {
			t.Errorf("insert %s was answered 201 but is missing after the crash", v)
		}
	}
	t.Logf("%d inserts answered, %d stored", len(answered), len(stored))
}

// TestDBStartupErrors: a file that is not SQLite, or is read-only, stops
// the start-up with a message naming it.
func TestDBStartupErrors(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", itemsScript, "notes.db", strings.Repeat("just some text\n", 200))
	_, stderr, code := cli(t, dir, "-addr", "127.0.0.1:0", "-db", "notes.db", "routes.lua")
	if code != 1 || !strings.Contains(stderr, "notes.db") || !strings.Contains(stderr, "not a SQLite database") {
		t.Errorf("not a database: exit %d, %q", code, stderr)
	}
	ro := filepath.Join(dir, "ro.db")
	d, err := db.OpenSQLite(ro, db.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	os.Chmod(ro, 0o444)
	_, stderr, code = cli(t, dir, "-addr", "127.0.0.1:0", "-db", ro, "routes.lua")
	if code != 1 || !strings.Contains(stderr, ro) || !strings.Contains(stderr, "read-only") {
		t.Errorf("read-only: exit %d, %q", code, stderr)
	}
	bad := scriptDir(t, "routes.lua", `require("luaserve.db").migrate({ "CREATE TABLE" })`)
	_, stderr, code = cli(t, bad, "-addr", "127.0.0.1:0", "routes.lua")
	if code != 1 || !strings.Contains(stderr, `migration "1"`) || !strings.Contains(stderr, "routes.lua:1") {
		t.Errorf("failing migration: exit %d, %q", code, stderr)
	}
}

// startDB serves src with a SQLite file of its own.
func startDB(t *testing.T, src string, cfg engine.Config) *server {
	t.Helper()
	d, err := db.OpenSQLite(filepath.Join(t.TempDir(), "t.db"), db.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB = db.Opened(d)
	t.Cleanup(func() { cfg.DB.Close() })
	return startSource(t, src, cfg)
}

const counterScript = `
local app = require("luaserve")
local db = require("luaserve.db")
db.migrate({
  "CREATE TABLE rows (id INTEGER PRIMARY KEY, who TEXT)",
  "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0)",
})
app.post("/insert", function(req)
  db.exec("INSERT INTO rows (who) VALUES (?)", req.query.who)
  return { status = 201, body = "ok" }
end)
app.post("/incr", function()
  -- read, then write, in one transaction: no increment is lost
  local n = db.tx(function()
    local n = db.value("SELECT n FROM counter WHERE id = 1") + 1
    db.exec("UPDATE counter SET n = ? WHERE id = 1", n)
    return n
  end)
  return { body = tostring(n) }
end)
app.get("/counts", function()
  return db.value("SELECT count(*) FROM rows") .. " " .. db.value("SELECT n FROM counter WHERE id = 1")
end)
`

// TestDBConcurrentWrites: many clients insert and increment at once; the
// final counts equal the 2xx answers, and no client sees "database is
// locked".
func TestDBConcurrentWrites(t *testing.T) {
	t.Parallel()
	s := startDB(t, counterScript, engine.Config{Workers: 8})
	c := client(t)
	var inserts, incrs, failures atomic.Int64
	var firstFailure atomic.Value
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				path, n := "/insert?who="+strconv.Itoa(w), &inserts
				if i%2 == 1 {
					path, n = "/incr", &incrs
				}
				res, body, err := doErr(c, "POST", s.url+path, "")
				switch {
				case err == nil && res.StatusCode/100 == 2:
					n.Add(1)
				case err == nil:
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, strconv.Itoa(res.StatusCode)+" "+body)
				}
			}
		})
	}
	wg.Wait()
	if f := failures.Load(); f > 0 {
		t.Errorf("%d requests failed, the first: %v", f, firstFailure.Load())
	}
	if strings.Contains(s.logs.String(), "locked") {
		t.Errorf("the log mentions a lock:\n%s", s.logs.String())
	}
	want := strconv.FormatInt(inserts.Load(), 10) + " " + strconv.FormatInt(incrs.Load(), 10)
	if got := get(t, c, s.url+"/counts"); got != want {
		t.Fatalf("counts %q, want %q (rows, counter)", got, want)
	}
	t.Logf("%d inserts, %d increments", inserts.Load(), incrs.Load())
}

// TestDBMemoryFlag: -db :memory: keeps the rows in memory and writes no
// file.
func TestDBMemoryFlag(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", itemsScript)
	s := startCLI(t, dir, "-quiet", "-db", ":memory:", "routes.lua")
	c := client(t)
	do(t, c, "POST", s.url+"/items?v=a", "")
	do(t, c, "POST", s.url+"/items?v=b", "")
	if got := get(t, c, s.url+"/items"); got != "a\nb" {
		t.Errorf("items %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files beside the script: %v", entries)
	}
}

// TestDBReloadKeepsDatabase: a reload (SIGHUP) keeps the database open and
// its rows, and applies only the migration steps added since; a reload
// whose script edited an applied step is refused, the old version serving
// on.
func TestDBReloadKeepsDatabase(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", itemsScript)
	s := startCLI(t, dir, "-quiet", "routes.lua")
	addr := strings.TrimPrefix(s.url, "http://")
	c := client(t)
	do(t, c, "POST", s.url+"/items?v=before", "")
	v2 := strings.Replace(itemsScript, `db.migrate({ "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT NOT NULL)" })`,
		`db.migrate({ "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT NOT NULL)", "ALTER TABLE items ADD COLUMN n INTEGER DEFAULT 7" })
app.get("/n", function() return tostring(db.value("SELECT sum(n) FROM items")) end)`, 1)
	writeFile(t, filepath.Join(dir, "routes.lua"), v2)
	s.cmd.Process.Signal(syscall.SIGHUP)
	waitBody(t, addr, "/n", bodyIs("7"))
	if got := get(t, c, s.url+"/items"); got != "before" {
		t.Errorf("items after the reload: %q", got)
	}
	edited := strings.Replace(v2, "DEFAULT 7", "DEFAULT 8", 1)
	writeFile(t, filepath.Join(dir, "routes.lua"), edited+"\napp.get(\"/v3\", function() return \"v3\" end)\n")
	s.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, s.stderr, regexp.MustCompile(`migration \\"2\\" was changed after it was applied`))
	if res, _ := do(t, c, "GET", s.url+"/v3", ""); res.StatusCode != 404 {
		t.Errorf("the edited script was loaded: /v3 answered %d", res.StatusCode)
	}
}
