-- routes.lua: a starter luaserve API. Run it with `luaserve -dev routes.lua`,
-- test it with `luaserve test`, lint it with `luaserve check routes.lua`.
local app = require("luaserve")
local json = require("luaserve.json")
local store = require("luaserve.store")

app.get("/", function()
  return { html = "<h1>Hello from luaserve</h1>\n" }
end)

app.get("/hello/:name", function(req)
  return "Hello, " .. req.params.name .. "!"
end)

-- A tiny notes API kept in the shared store.
app.post("/notes", function(req)
  local note, err = req:json()
  if type(note) ~= "table" or type(note.text) ~= "string" then
    return { status = 400, json = { error = err or "expected {\"text\": \"...\"}" } }
  end
  local id = store.incr("notes:last")
  store.set("notes:" .. id, { id = id, text = note.text })
  return { status = 201, headers = { location = "/notes/" .. id }, json = { id = id, text = note.text } }
end)

app.get("/notes/:id", function(req)
  local note = store.get("notes:" .. req.params.id)
  if not note then
    return { status = 404, json = { error = "no such note" } }
  end
  return { json = note }
end)

app.not_found(function(req)
  return { status = 404, body = json.encode({ error = "not found", path = req.path }),
    headers = { ["content-type"] = "application/json" } }
end)
