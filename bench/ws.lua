-- bench/ws.lua: the routes of the WebSocket benchmarks (bench/wsload).
local app = require("luaserve")
local pubsub = require("luaserve.pubsub")

app.ws("/ws", {
  open = function(conn, req)
    if req.query.sub then conn:subscribe("all") end
  end,
  message = function(conn, data, kind)
    conn:send(data, kind)
  end,
})

app.post("/broadcast", function(req)
  pubsub.publish("all", req.body)
  return 204
end)

app.sse("/events", {
  open = function(stream) stream:subscribe("all") end,
})
