-- examples/todo_db_test.lua: tests for the SQLite todo API in todo_db.lua.
-- Run them with `luaserve test examples`. Each test starts from an empty
-- in-memory database with the script's migrations applied.
local db = require("luaserve.db")

local function create(title, tags)
  local res = post("/todos", { title = title, tags = tags })
  expect(res.status).to_be(201)
  return res.json
end

test("starts empty", function()
  local res = get("/todos")
  expect(res.status).to_be(200)
  expect(res.body).to_be("[]")
end)

test("creates a todo with its tags", function()
  local res = post("/todos", { title = "write docs", tags = { "docs", "writing" } })
  expect(res.status).to_be(201)
  expect(res.headers["location"]).to_be("/todos/1")
  expect(res.json.id).to_be(1)
  expect(res.json.title).to_be("write docs")
  expect(res.json.done).to_be(false)
  expect(res.json.tags).to_equal({ "docs", "writing" })
  expect(res.json.created_at).to_match("^%d%d%d%d%-%d%d%-%d%dT")
  expect(res.body).to_match('^{"id":1,"title":"write docs","done":false,"created_at":')
end)

test("each test starts from the migrated, empty database", function()
  expect(db.value("SELECT count(*) FROM todos")).to_be(0)
  expect(db.value("SELECT count(*) FROM luaserve_migrations")).to_be(2)
end)

test("lists, filters and reads todos", function()
  create("a")
  local b = create("b")
  put("/todos/" .. b.id, { done = true })
  expect(#get("/todos").json).to_be(2)
  local done = get("/todos?done=true").json
  expect(#done).to_be(1)
  expect(done[1].title).to_be("b")
  expect(get("/todos?done=maybe").status).to_be(422)
  expect(get("/todos/" .. b.id).json.done).to_be(true)
  expect(get("/todos/99").status).to_be(404)
  expect(get("/stats").json).to_equal({ total = 2, done = 1 })
end)

test("updates title, done and tags", function()
  local t = create("old", { "x" })
  local res = put("/todos/" .. t.id, { title = "new", tags = { "y", "z" } })
  expect(res.status).to_be(200)
  expect(res.json.title).to_be("new")
  expect(res.json.done).to_be(false)
  expect(res.json.tags).to_equal({ "y", "z" })
  expect(put("/todos/99", { done = true }).status).to_be(404)
  expect(put("/todos/" .. t.id, { done = "yes" }).status).to_be(422)
end)

test("finds todos by tag", function()
  create("a", { "home" })
  create("b", { "work" })
  create("c", { "home", "work" })
  local home = get("/tags/home").json
  expect(#home).to_be(2)
  expect(home[1].title).to_be("a")
  expect(home[2].title).to_be("c")
end)

test("deleting a todo deletes its tags", function()
  local t = create("gone", { "a", "b" })
  expect(delete("/todos/" .. t.id).status).to_be(204)
  expect(delete("/todos/" .. t.id).status).to_be(404)
  expect(db.value("SELECT count(*) FROM tags")).to_be(0)
end)

test("rejects bad input and stores nothing", function()
  expect(post("/todos", { title = "" }).status).to_be(422)
  expect(post("/todos", { title = "t", tags = { 1 } }).status).to_be(422)
  expect(post("/todos", "not json").status).to_be(422)
  expect(db.value("SELECT count(*) FROM todos")).to_be(0)
end)

test("a title is stored as sent, quotes and all", function()
  local title = "Robert'); DROP TABLE todos; --"
  local t = create(title)
  expect(get("/todos/" .. t.id).json.title).to_be(title)
end)
