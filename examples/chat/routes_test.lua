-- examples/chat/routes_test.lua: the chat's HTTP parts. Run them with
-- `luaserve test examples/chat`. WebSocket and event stream traffic is
-- tested end to end in tests/browser_chat_test.go.
local store = require("luaserve.store")

test("the page is HTML", function()
  local res = get("/")
  expect(res.status).to_be(200)
  expect(res.headers["content-type"]).to_contain("text/html")
  expect(res.body).to_contain("new WebSocket(")
end)

test("posts and lists messages", function()
  local res = post("/messages", { from = "ann", text = "hello" })
  expect(res.status).to_be(201)
  expect(res.json).to_equal({ id = 1 })
  post("/messages", { from = "bob", text = "hi ann" })
  expect(get("/history").json).to_equal({
    { id = 1, from = "ann", text = "hello" },
    { id = 2, from = "bob", text = "hi ann" },
  })
  expect(get("/history", { query = { after = "1" } }).json).to_equal({ { id = 2, from = "bob", text = "hi ann" } })
end)

test("refuses bad messages", function()
  expect(post("/messages", { from = "ann", text = "" }).status).to_be(422)
  expect(post("/messages", { from = "ann", text = string.rep("x", 501) }).status).to_be(422)
  expect(post("/messages", { from = "no spaces", text = "x" }).status).to_be(422)
  expect(post("/messages", "not json").status).to_be(422)
  expect(store.get("chat:seq")).to_be_nil()
end)

test("the WebSocket route wants a handshake and a name", function()
  local res = get("/ws")
  expect(res.status).to_be(426)
  expect(res.headers["upgrade"]).to_be("websocket")
  local bad = get("/ws", { query = { name = "a b" }, headers = {
    upgrade = "websocket", connection = "Upgrade",
    ["sec-websocket-key"] = "dGhlIHNhbXBsZSBub25jZQ==", ["sec-websocket-version"] = "13",
  } })
  expect(bad.status).to_be(400)
  expect(bad.body).to_contain("name:")
end)

test("nobody is viewing at first", function()
  expect(get("/viewers").json).to_equal({ viewers = 0 })
end)
