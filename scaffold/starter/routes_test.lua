-- routes_test.lua: run with `luaserve test`.

test("the home page is HTML", function()
  local res = get("/")
  expect(res.status).to_be(200)
  expect(res.headers["content-type"]).to_be("text/html; charset=utf-8")
end)

test("says hello", function()
  expect(get("/hello/ada").body).to_be("Hello, ada!")
end)

test("stores and reads a note", function()
  local res = post("/notes", { text = "buy milk" })
  expect(res.status).to_be(201)
  expect(res.headers["location"]).to_match("^/notes/%d+$")
  local again = get(res.headers["location"])
  expect(again.json.text).to_be("buy milk")
end)

test("rejects a note without text", function()
  expect(post("/notes", { title = "x" }).status).to_be(400)
end)

test("unknown paths are JSON 404s", function()
  local res = get("/nowhere")
  expect(res.status).to_be(404)
  expect(res.json).to_equal({ error = "not found", path = "/nowhere" })
end)
