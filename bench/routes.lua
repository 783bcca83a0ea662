-- bench/routes.lua: the routes ../shared/bench/run.sh expects, in Lua.
--   LUASERVE_BIN=/tmp/luaserve LUASERVE_ROUTES=bench/routes.lua bash ../shared/bench/run.sh
local app = require("luaserve")

app.get("/hello", function()
  return "Hello, World!"
end)

app.get("/users/:id", function(req)
  local id = req.params.id
  return { json = { id = id, name = "user-" .. id, fields = req.query.fields or "" } }
end)

-- The harness starts luaserve in a scratch folder whose ./static holds the
-- test files, and says where in BENCH_STATIC_DIR.
app.static("/static", os.getenv("BENCH_STATIC_DIR") or "static")

-- /jwt: the json route behind an HS256 bearer token, for the cost of
-- verifying one (docs/BENCHMARKS.md). GET /jwt/token gives the token to
-- send; its claims are fixed, so it is the same on every start.
local jwt = require("luaserve.jwt")
local secret = "bench-secret-bench-secret-bench-secret"
local token = jwt.sign({ sub = "42", name = "user-42", iat = 1700000000, exp = 4102444800 }, secret)

app.get("/jwt/token", function()
  return token
end)

app.get("/jwt", function(req)
  local claims, err = jwt.verify(req:header("authorization") or "", secret)
  if not claims then
    return { status = 401, json = { error = err } }
  end
  return { json = { id = claims.sub, name = claims.name, fields = req.query.fields or "" } }
end)

-- The db scenario: GET /db/:id reads one row by primary key through
-- luaserve.db and returns it as JSON, keys in column order. Run with
-- LUASERVE_CMD='{bin} -addr {addr} -db {db} {routes}'. The table is created
-- and seeded with ids 1..1000 at start-up when absent.
local db = require("luaserve.db")
db.migrate({
  "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)",
  "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at TEXT, n INTEGER)",
})
if db.value("SELECT count(*) FROM users WHERE id BETWEEN 1 AND 1000") < 1000 then
  db.tx(function()
    for id = 1, 1000 do
      local name = "user-" .. id
      db.exec("INSERT OR IGNORE INTO users (id, name, email) VALUES (?, ?, ?)", id, name, name .. "@example.com")
    end
  end)
end

app.get("/db/:id", function(req)
  local user = db.row("SELECT id, name, email FROM users WHERE id = ?", tonumber(req.params.id))
  if not user then return { status = 404, body = "no such user" } end
  return { json = user }
end)

-- Not in the harness: one insert per request, to measure what a write costs.
app.post("/db/events", function()
  local _, id = db.exec("INSERT INTO events (at, n) VALUES (?, ?)", "now", 1)
  return { json = { id = id } }
end)
