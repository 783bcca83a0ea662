-- bench/backends.sh's luaserve side: one row by primary key from
-- PostgreSQL, one key from Redis, per request.
local app = require("luaserve")
local db = require("luaserve.db")
local store = require("luaserve.store")

app.get("/row/:id", function(req)
  local row = db.row("SELECT id, name, email FROM users WHERE id = ?", tonumber(req.params.id))
  if not row then return { status = 404 } end
  return { json = row }
end)

app.get("/key/:id", function(req)
  local v = store.get("user:" .. req.params.id)
  if not v then return { status = 404 } end
  return { body = v, headers = { ["content-type"] = "application/json" } }
end)
