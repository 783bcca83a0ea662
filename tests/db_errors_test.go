package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

const hostileDBScript = `
local app = require("luaserve")
local db = require("luaserve.db")
db.migrate({ "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)" })
app.post("/notes", function(req)
  local _, id = db.exec("INSERT INTO notes (body) VALUES (?)", req.body)
  return { status = 201, body = tostring(id) }
end)
app.get("/notes/:id", function(req)
  local n = db.row("SELECT body FROM notes WHERE id = ?", tonumber(req.params.id))
  return n and n.body or { status = 404 }
end)
app.get("/count", function() return tostring(db.value("SELECT count(*) FROM notes")) end)
app.get("/malformed", function() return db.query("SELEC body FROM notes") end)
app.get("/caught", function()
  local ok, err = pcall(db.query, "SELECT * FROM missing_table")
  return { status = 409, body = err }
end)
app.get("/badarg", function() return db.query("SELECT ?", {}, 1) end)
app.get("/slow", function()
  return tostring(db.value("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"))
end)
app.get("/huge", function()
  return { json = db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000000) SELECT x, 'row ' || x AS label FROM c") }
end)
app.get("/slow-tx", function()
  return db.tx(function()
    db.exec("INSERT INTO notes (body) VALUES ('from slow-tx')")
    return tostring(db.value("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"))
  end)
end)
`

// TestDBHostileInput: parameters are never SQL, bad SQL and bad arguments
// are clear errors, and a query past the time limit is stopped.
func TestDBHostileInput(t *testing.T) {
	t.Parallel()
	s := startDB(t, hostileDBScript, engine.Config{Timeout: 2 * time.Second, RequestMemory: 8 << 20})
	c := client(t)
	for _, evil := range []string{"x'); DROP TABLE notes; --", "1 OR 1=1", "\x00\xff' --"} {
		res, id := do(t, c, "POST", s.url+"/notes", evil)
		if res.StatusCode != 201 {
			t.Fatalf("POST %q: %d %s", evil, res.StatusCode, id)
		}
		if _, got := do(t, c, "GET", s.url+"/notes/"+id, ""); got != evil {
			t.Errorf("stored %q, read back %q", evil, got)
		}
	}
	if _, n := do(t, c, "GET", s.url+"/count", ""); n != "3" {
		t.Errorf("count %s", n)
	}

	res, body := do(t, c, "GET", s.url+"/malformed", "")
	if res.StatusCode != 500 || strings.Contains(body, "SELEC") {
		t.Errorf("malformed SQL: %d %q (the statement belongs in the log, not the body)", res.StatusCode, body)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "syntax error") || !strings.Contains(logs, "SELEC body FROM notes") {
		t.Errorf("the log lacks the message or the statement:\n%s", logs)
	}
	if res, body := do(t, c, "GET", s.url+"/caught", ""); res.StatusCode != 409 || !strings.Contains(body, "no such table: missing_table") {
		t.Errorf("pcall: %d %q", res.StatusCode, body)
	}
	do(t, c, "GET", s.url+"/badarg", "")
	if logs := s.logs.String(); !strings.Contains(logs, "bad argument #2 to query (cannot bind a table") {
		t.Errorf("wrong argument type not named in the log:\n%s", logs)
	}

	// The memory bound on its own: with a time limit far off, so that a slow
	// machine (the race detector) cannot reach the limit first.
	roomy := startDB(t, hostileDBScript, engine.Config{Timeout: time.Minute, RequestMemory: 8 << 20})
	if res, _ := do(t, c, "GET", roomy.url+"/huge", ""); res.StatusCode != 500 ||
		!strings.Contains(roomy.logs.String(), "request memory limit exceeded") {
		t.Errorf("a million rows: %d, log:\n%s", res.StatusCode, roomy.logs.String())
	}
	for _, path := range []string{"/slow", "/slow-tx"} {
		start := time.Now()
		if res, body := do(t, c, "GET", s.url+path, ""); res.StatusCode != 504 {
			t.Errorf("%s: %d %q", path, res.StatusCode, body)
		}
		if d := time.Since(start); d > 8*time.Second {
			t.Errorf("%s took %v past a 2s limit", path, d)
		}
	}
	// The server still serves, the writer is free and the interrupted
	// transaction left nothing.
	if _, n := do(t, c, "GET", s.url+"/count", ""); n != "3" {
		t.Errorf("count after the time-outs: %s", n)
	}
	if res, _ := do(t, c, "POST", s.url+"/notes", "after"); res.StatusCode != 201 {
		t.Errorf("insert after the time-outs: %d", res.StatusCode)
	}
}

// TestDBDevPageShowsStatement: with -dev the error page carries SQLite's
// message and the statement.
func TestDBDevPageShowsStatement(t *testing.T) {
	t.Parallel()
	s := startDB(t, hostileDBScript, engine.Config{Dev: true})
	res, body := do(t, client(t), "GET", s.url+"/malformed", "")
	if res.StatusCode != 500 || !strings.Contains(body, "syntax error") || !strings.Contains(body, "SELEC body FROM notes") {
		t.Errorf("dev page: %d %q", res.StatusCode, body)
	}
}
