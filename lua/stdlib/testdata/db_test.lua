-- luaserve.db over an in-memory SQLite database, run by TestLuaModules.
local db = require("luaserve.db")
local json = require("luaserve.json")

assert(db.null == json.null, "NULL is json.null")

-- Migrations: each step once, in order; a second run applies nothing.
local steps = {
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, admin BOOLEAN DEFAULT 0)",
  { name = "blobs", sql = "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB); CREATE TABLE nums (n)" },
}
assert(db.migrate(steps) == 2)
assert(db.migrate(steps) == 0)
steps[1] = "CREATE TABLE users (id INTEGER PRIMARY KEY)"
local ok, err = pcall(db.migrate, steps)
assert(not ok and err:find('migration "1" was changed after it was applied', 1, true), err)
assert(db.migrate({ ["002_b"] = "CREATE TABLE b (x)", ["001_a"] = "CREATE TABLE a (x)" }) == 2)
assert(db.value("SELECT name FROM luaserve_migrations ORDER BY rowid DESC LIMIT 1") == "002_b", "named steps in name order")

-- exec returns rows changed and the last id; ? and :name bind.
local changes, id = db.exec("INSERT INTO users (name, email) VALUES (?, ?)", "ada", "ada@example.com")
assert(changes == 1 and id == 1, tostring(changes) .. " " .. tostring(id))
changes, id = db.exec("INSERT INTO users (name, email, admin) VALUES (:name, :email, :admin)",
  { name = "bob", email = db.null, admin = true })
assert(changes == 1 and id == 2)

local rows = db.query("SELECT id, name, email, admin FROM users ORDER BY id")
assert(#rows == 2)
assert(rows[1].name == "ada" and rows[1].admin == false)
assert(rows[2].email == db.null and rows[2].admin == true)
assert(json.encode(rows) ==
  '[{"id":1,"name":"ada","email":"ada@example.com","admin":false},{"id":2,"name":"bob","email":null,"admin":true}]',
  json.encode(rows))
assert(#db.query("SELECT * FROM users WHERE id > ?", 100) == 0)
assert(json.encode(db.query("SELECT * FROM users WHERE id > ?", 100)) == "[]")

local row = db.row("SELECT name FROM users WHERE id = ?", 2)
assert(row.name == "bob")
assert(db.row("SELECT name FROM users WHERE id = ?", 99) == nil)
assert(db.query_one("SELECT 1 AS x").x == 1)
assert(db.value("SELECT count(*) FROM users") == 2)
assert(db.value("SELECT NULL") == db.null)
assert(db.value("SELECT 1 WHERE 0") == nil)

-- Types both ways.
assert(db.value("SELECT ?", 9007199254740992) == 9007199254740992)
assert(db.value("SELECT 9223372036854775807") == "9223372036854775807", "past 2^53: the digits")
db.exec("INSERT INTO nums VALUES (?)", "9223372036854775807")
assert(db.value("SELECT typeof(n) FROM nums") == "text", "a string binds as text")
db.exec("DELETE FROM nums")
db.exec("CREATE TABLE big (n INTEGER)")
db.exec("INSERT INTO big VALUES (?)", db.value("SELECT 9223372036854775807"))
assert(db.value("SELECT n = 9223372036854775807 FROM big") == 1, "the digits bind back exactly")
assert(db.value("SELECT ?", 0.5) == 0.5)
assert(db.value("SELECT typeof(?)", 3) == "integer")
assert(db.value("SELECT typeof(?)", 3.25) == "real")
assert(db.value("SELECT ?", true) == 1)
local bytes = "\255\254\0\1abc\200"
db.exec("INSERT INTO blobs (data) VALUES (?)", bytes)
assert(db.value("SELECT data FROM blobs") == bytes, "bytes round-trip")
assert(db.value("SELECT typeof(data) FROM blobs") == "blob")
assert(db.value("SELECT ?", "héllo") == "héllo")

-- Injection attempts are values.
local evil = "x'); DROP TABLE users; --"
db.exec("INSERT INTO users (name) VALUES (?)", evil)
assert(db.value("SELECT name FROM users WHERE name = ?", evil) == evil)
assert(db.value("SELECT count(*) FROM users") == 3)

-- Errors: SQL, bad arguments.
ok, err = pcall(db.exec, "SELEC 1")
assert(not ok and err:find("syntax error", 1, true) and err:find('"SELEC 1"', 1, true), err)
ok, err = pcall(db.query, "SELECT * FROM nope")
assert(not ok and err:find("no such table: nope", 1, true), err)
ok, err = pcall(db.exec, "INSERT INTO users (name) VALUES (?)", nil)
assert(not ok and err:find("NOT NULL constraint failed", 1, true), err)
ok, err = pcall(function() return db.query({}) end)
assert(not ok and err:find("bad argument #1 to query", 1, true), err)
ok, err = pcall(function() return db.exec("SELECT ?", function() end) end)
assert(not ok and err:find("bad argument #2 to exec (cannot bind a function", 1, true), err)
ok, err = pcall(db.exec, "SELECT ?, ?", 1)
assert(not ok and err:find("2 ? parameters but 1", 1, true), err)
ok, err = pcall(db.exec, "SELECT :a", { b = 1 })
assert(not ok and err:find("no value for :a", 1, true), err)
ok, err = pcall(function() return db.tx("nope") end)
assert(not ok and err:find("bad argument #1 to tx", 1, true), err)

-- Transactions: commit, rollback and re-raise, nesting with savepoints.
local a, b = db.tx(function()
  db.exec("INSERT INTO users (name) VALUES ('in tx')")
  return 1, 2
end)
assert(a == 1 and b == 2)
assert(db.value("SELECT count(*) FROM users WHERE name = 'in tx'") == 1)

ok, err = pcall(db.tx, function()
  db.exec("INSERT INTO users (name) VALUES ('rolled back')")
  error("boom")
end)
assert(not ok and err:find("boom", 1, true), err)
assert(db.value("SELECT count(*) FROM users WHERE name = 'rolled back'") == 0)

ok, err = pcall(db.tx, function()
  error({ code = 7 })
end)
assert(not ok and type(err) == "table" and err.code == 7, "the error value is raised again as it was")

db.tx(function()
  db.exec("INSERT INTO users (name) VALUES ('outer')")
  local ok2 = pcall(db.tx, function()
    db.exec("INSERT INTO users (name) VALUES ('inner')")
    error("undo inner")
  end)
  assert(not ok2)
  db.tx(function()
    db.exec("INSERT INTO users (name) VALUES ('inner kept')")
  end)
  assert(db.value("SELECT count(*) FROM users WHERE name = 'outer'") == 1, "reads in a tx see its writes")
end)
assert(db.value("SELECT count(*) FROM users WHERE name IN ('outer', 'inner kept')") == 2)
assert(db.value("SELECT count(*) FROM users WHERE name = 'inner'") == 0)

-- Foreign keys are on.
db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
db.exec("CREATE TABLE child (pid INTEGER REFERENCES parent(id))")
ok, err = pcall(db.exec, "INSERT INTO child VALUES (1)")
assert(not ok and err:find("FOREIGN KEY constraint failed", 1, true), err)
