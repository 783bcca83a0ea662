-- examples/routes.lua: a small API that shows luaserve's route API.
-- Run it with `go run ./cmd/luaserve` (it is embedded) or
-- `go run ./cmd/luaserve examples/routes.lua`, then try:
--
--   curl localhost:8080/hello/ada
--   curl 'localhost:8080/search?q=lua&tag=web&tag=api'
--   curl -X POST localhost:8080/todos -d '{"title":"write docs"}'
--   curl localhost:8080/todos
--   curl -H 'X-Api-Key: secret' localhost:8080/admin/stats

local app = require("luaserve")
local json = require("luaserve.json")
local store = require("luaserve.store")
local res = require("luaserve.response")
local log = require("luaserve.log")

-- A tiny home page.
app.get("/", function(req)
  return res.html([[<!doctype html>
<title>luaserve example</title>
<h1>luaserve</h1>
<ul>
  <li><a href="/hello">/hello</a> and <a href="/hello/ada">/hello/:name</a></li>
  <li><a href="/search?q=lua&amp;tag=web&amp;tag=api">/search?q=...</a></li>
  <li><a href="/todos">/todos</a> (POST, GET, PUT, DELETE)</li>
  <li><a href="/download">/download</a> (a file)</li>
</ul>]])
end)

-- A plain string is a 200 text/plain response.
app.get("/hello", function(req)
  return "Hello, World!"
end)

-- Path parameters arrive in req.params.
app.get("/hello/:name", function(req)
  return "Hello, " .. req.params.name .. "!"
end)

-- The query string, decoded; repeated keys through req:query_values().
app.get("/search", function(req)
  return { json = {
    query = req.query.q or "",
    tags = json.array(req:query_values("tag")),
  } }
end)

-- JSON in, JSON out.
app.post("/echo", function(req)
  local body, err = req:json()
  if err then
    return res.json({ error = err }, 400)
  end
  return { json = { you_sent = body } }
end)

-- A todo API kept in the shared store, so that every Lua state (each
-- serves its own requests) sees the same todos.
local function todo_key(id) return "todo:" .. id end

local function load_todo(req)
  local id = tonumber(req.params.id)
  if not id then return nil end
  return store.get(todo_key(id)), id
end

app.get("/todos", function(req)
  local todos = {}
  for _, key in ipairs(store.keys("todo:")) do
    todos[#todos + 1] = store.get(key)
  end
  table.sort(todos, function(a, b) return a.id < b.id end)
  return { json = todos }
end)

app.post("/todos", function(req)
  local input = req:json()
  if type(input) ~= "table" or type(input.title) ~= "string" or input.title == "" then
    return res.json({ error = "send a JSON object with a non-empty title" }, 422)
  end
  local id = store.incr("next_todo_id")
  local todo = { id = id, title = input.title, done = false }
  store.set(todo_key(id), todo)
  log.info("todo created", { id = id })
  return res.json(todo, 201, { location = "/todos/" .. id })
end)

app.get("/todos/:id", function(req)
  local todo = load_todo(req)
  if not todo then return res.json({ error = "no such todo" }, 404) end
  return { json = todo }
end)

app.put("/todos/:id", function(req)
  local todo, id = load_todo(req)
  if not todo then return res.json({ error = "no such todo" }, 404) end
  local input = req:json()
  if type(input) ~= "table" then
    return res.json({ error = "send a JSON object" }, 422)
  end
  if type(input.title) == "string" and input.title ~= "" then todo.title = input.title end
  if type(input.done) == "boolean" then todo.done = input.done end
  store.set(todo_key(id), todo)
  return { json = todo }
end)

app.delete("/todos/:id", function(req)
  local _, id = load_todo(req)
  if not id or not store.delete(todo_key(id)) then
    return res.json({ error = "no such todo" }, 404)
  end
  return { status = 204 }
end)

-- Middleware for /admin: answers early without a key, and otherwise
-- attaches a field the route reads.
app.use("/admin", function(req)
  if req.headers["x-api-key"] ~= "secret" then
    return res.json({ error = "unauthorized" }, 401)
  end
  req.user = "admin"
end)

app.get("/admin/stats", function(req)
  return { json = { user = req.user, todos = #store.keys("todo:") } }
end)

-- One file, sent by a helper (a download, with its name).
app.get("/download", function(req)
  return res.file("public/hello.txt", { download = "hello.txt" })
end)

-- A custom 404 for every path no route matches.
app.not_found(function(req)
  return res.json({ error = "not found", path = req.path }, 404)
end)
