-- examples/todo_db.lua: a todo API kept in SQLite (luaserve.db), so the
-- todos survive a restart. Run it with
--
--   go run ./cmd/luaserve examples/todo_db.lua
--
-- and its data lands in examples/todo_db.db (or where -db says), then try:
--
--   curl -X POST localhost:8080/todos -d '{"title":"write docs","tags":["docs"]}'
--   curl localhost:8080/todos
--   curl -X PUT localhost:8080/todos/1 -d '{"done":true}'
--   curl 'localhost:8080/todos?done=true'
--   curl localhost:8080/tags/docs
--   curl -X DELETE localhost:8080/todos/1

local app = require("luaserve")
local db = require("luaserve.db")
local res = require("luaserve.response")

-- The schema, as steps: each runs once, in order, and is recorded; a
-- restart (or a reload) applies only steps added since. Never edit an
-- applied step: add a new one.
db.migrate({
  [[CREATE TABLE todos (
      id INTEGER PRIMARY KEY,
      title TEXT NOT NULL,
      done BOOLEAN NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    )]],
  [[CREATE TABLE tags (
      todo_id INTEGER NOT NULL REFERENCES todos(id) ON DELETE CASCADE,
      tag TEXT NOT NULL,
      PRIMARY KEY (todo_id, tag)
    );
    CREATE INDEX tags_by_tag ON tags (tag)]],
})

local function todo_id(req)
  return tonumber(req.params.id)
end

-- One todo with its tags, or nil.
local function load_todo(id)
  local todo = db.row("SELECT id, title, done, created_at FROM todos WHERE id = ?", id)
  if not todo then return nil end
  todo.tags = {}
  for i, t in ipairs(db.query("SELECT tag FROM tags WHERE todo_id = ? ORDER BY tag", id)) do
    todo.tags[i] = t.tag
  end
  return todo
end

local function bad_input(msg)
  return res.json({ error = msg }, 422)
end

-- tags must be a list of non-empty strings (or absent).
local function valid_tags(tags)
  if tags == nil then return true end
  if type(tags) ~= "table" then return false end
  for _, t in ipairs(tags) do
    if type(t) ~= "string" or t == "" then return false end
  end
  return true
end

local function set_tags(id, tags)
  db.exec("DELETE FROM tags WHERE todo_id = ?", id)
  for _, t in ipairs(tags) do
    db.exec("INSERT OR IGNORE INTO tags (todo_id, tag) VALUES (?, ?)", id, t)
  end
end

app.get("/todos", function(req)
  local done = req.query.done
  if done ~= nil and done ~= "true" and done ~= "false" then
    return bad_input("done must be true or false")
  end
  if done then
    return { json = db.query("SELECT id, title, done, created_at FROM todos WHERE done = :done ORDER BY id",
      { done = done == "true" }) }
  end
  return { json = db.query("SELECT id, title, done, created_at FROM todos ORDER BY id") }
end)

app.post("/todos", function(req)
  local input = req:json()
  if type(input) ~= "table" or type(input.title) ~= "string" or input.title == "" then
    return bad_input("send a JSON object with a non-empty title")
  end
  if not valid_tags(input.tags) then return bad_input("tags must be a list of strings") end
  -- The todo and its tags go in together, or not at all.
  local id = db.tx(function()
    local _, id = db.exec("INSERT INTO todos (title) VALUES (?)", input.title)
    set_tags(id, input.tags or {})
    return id
  end)
  return res.json(load_todo(id), 201, { location = "/todos/" .. id })
end)

app.get("/todos/:id", function(req)
  local todo = load_todo(todo_id(req))
  if not todo then return res.json({ error = "no such todo" }, 404) end
  return { json = todo }
end)

app.put("/todos/:id", function(req)
  local id = todo_id(req)
  local input = req:json()
  if type(input) ~= "table" then return bad_input("send a JSON object") end
  if input.title ~= nil and (type(input.title) ~= "string" or input.title == "") then
    return bad_input("title must be a non-empty string")
  end
  if input.done ~= nil and type(input.done) ~= "boolean" then return bad_input("done must be a boolean") end
  if not valid_tags(input.tags) then return bad_input("tags must be a list of strings") end
  local found = db.tx(function()
    local changed = db.exec("UPDATE todos SET title = coalesce(:title, title), done = coalesce(:done, done) WHERE id = :id",
      { id = id or 0, title = input.title or db.null, done = input.done == nil and db.null or input.done })
    if changed == 0 then return false end
    if input.tags then set_tags(id, input.tags) end
    return true
  end)
  if not found then return res.json({ error = "no such todo" }, 404) end
  return { json = load_todo(id) }
end)

app.delete("/todos/:id", function(req)
  if db.exec("DELETE FROM todos WHERE id = ?", todo_id(req) or 0) == 0 then
    return res.json({ error = "no such todo" }, 404)
  end
  return { status = 204 }
end)

app.get("/tags/:tag", function(req)
  return { json = db.query([[SELECT t.id, t.title, t.done, t.created_at FROM todos t
    JOIN tags g ON g.todo_id = t.id WHERE g.tag = ? ORDER BY t.id]], req.params.tag) }
end)

app.get("/stats", function()
  return { json = db.row("SELECT count(*) AS total, coalesce(sum(done), 0) AS done FROM todos") }
end)
