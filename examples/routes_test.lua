-- examples/routes_test.lua: tests for the example API in routes.lua.
-- Run them with `luaserve test examples` (or `go run ./cmd/luaserve test examples`).
-- luaserve: routes.lua

test("the home page is HTML", function()
  local res = get("/")
  expect(res.status).to_be(200)
  expect(res.headers["content-type"]).to_be("text/html; charset=utf-8")
  expect(res.body).to_contain("<h1>luaserve</h1>")
end)

test("says hello", function()
  expect(get("/hello").body).to_be("Hello, World!")
  local res = get("/hello/ada")
  expect(res.status).to_be(200)
  expect(res.body).to_be("Hello, ada!")
end)

test("search echoes the query and repeated tags", function()
  local res = get("/search", { query = { q = "lua", tag = { "web", "api" } } })
  expect(res.status).to_be(200)
  expect(res.json).to_equal({ query = "lua", tags = { "web", "api" } })
end)

test("search without tags returns an empty list", function()
  local res = get("/search")
  expect(res.body).to_be('{"query":"","tags":[]}')
end)

test("echo returns the JSON it was sent", function()
  local res = post("/echo", { name = "ada", langs = { "lua", "go" } })
  expect(res.status).to_be(200)
  expect(res.json.you_sent).to_equal({ name = "ada", langs = { "lua", "go" } })
end)

test("echo rejects a body that is not JSON", function()
  local res = post("/echo", "{not json", { headers = { ["content-type"] = "application/json" } })
  expect(res.status).to_be(400)
  expect(res.json.error).to_match("^json:")
end)

test("creates a todo", function()
  local res = post("/todos", { title = "write docs" })
  expect(res.status).to_be(201)
  expect(res.json).to_equal({ id = 1, title = "write docs", done = false })
  expect(res.headers["location"]).to_be("/todos/1")
end)

test("refuses a todo without a title", function()
  expect(post("/todos", { title = "" }).status).to_be(422)
  expect(post("/todos", "not json").status).to_be(422)
end)

test("lists, reads, updates and deletes todos", function()
  post("/todos", { title = "first" })
  post("/todos", { title = "second" })

  local list = get("/todos")
  expect(list.status).to_be(200)
  expect(#list.json).to_be(2)
  expect(list.json[2].title).to_be("second")

  local one = get("/todos/1")
  expect(one.json.title).to_be("first")

  local updated = put("/todos/1", { done = true })
  expect(updated.status).to_be(200)
  expect(updated.json).to_equal({ id = 1, title = "first", done = true })

  expect(delete("/todos/1").status).to_be(204)
  expect(get("/todos/1").status).to_be(404)
  expect(delete("/todos/1").status).to_be(404)
  expect(#get("/todos").json).to_be(1)
end)

test("each test starts with an empty store", function()
  expect(get("/todos").body).to_be("[]")
end)

test("a todo id must be a number", function()
  local res = get("/todos/abc")
  expect(res.status).to_be(404)
  expect(res.json.error).to_be("no such todo")
end)

test("admin needs the API key", function()
  local res = get("/admin/stats")
  expect(res.status).to_be(401)
  expect(res.json).to_equal({ error = "unauthorized" })
end)

test("admin stats with the API key", function()
  post("/todos", { title = "one" })
  local res = get("/admin/stats", { headers = { ["x-api-key"] = "secret" } })
  expect(res.status).to_be(200)
  expect(res.json).to_equal({ user = "admin", todos = 1 })
end)

test("download sends the file as an attachment", function()
  local res = get("/download")
  expect(res.status).to_be(200)
  expect(res.headers["content-disposition"]).to_contain("hello.txt")
  expect(res.body).to_contain("Hello")
end)

test("unknown paths get the custom 404", function()
  local res = get("/nowhere")
  expect(res.status).to_be(404)
  expect(res.json).to_equal({ error = "not found", path = "/nowhere" })
end)

test("a known path with another method is 405", function()
  local res = request("PATCH", "/hello")
  expect(res.status).to_be(405)
  expect(res.headers["allow"]).to_contain("GET")
end)
