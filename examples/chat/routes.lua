-- examples/chat/routes.lua: a chat room. Browsers talk over a WebSocket
-- (/ws); a read-only live view follows over server-sent events (/events),
-- and picks up what it missed when it reconnects. Run it with
--
--   go run ./cmd/luaserve examples/chat/routes.lua
--
-- and open http://localhost:8080/?name=ann in two tabs. With
-- -store redis://..., every instance on that Redis shares the room.
--
-- Tests (the HTTP parts): luaserve test examples/chat
local app = require("luaserve")
local json = require("luaserve.json")
local log = require("luaserve.log")
local pubsub = require("luaserve.pubsub")
local store = require("luaserve.store")

local HISTORY = 50 -- messages kept for /history and for resuming viewers
local KEEP = 3600 -- seconds a message is kept

local function valid_name(name)
  return type(name) == "string" and #name <= 20 and name:match("^[%w_%-]+$") ~= nil
end

-- post records a message under the next id and publishes it to the room:
-- WebSockets get the JSON, event streams an event with the id.
local function post(from, text)
  local id = store.incr("chat:seq")
  local msg = json.encode({ id = id, from = from, text = text })
  store.set("chat:msg:" .. id, msg, KEEP)
  pubsub.publish("chat", msg, { id = tostring(id), event = "message" })
  return id
end

-- messages returns the stored messages after id `after`, at most HISTORY.
local function messages(after)
  local seq = tonumber(store.get("chat:seq")) or 0
  local out = {}
  for id = math.max(after + 1, seq - HISTORY + 1), seq do
    local m = store.get("chat:msg:" .. id)
    if m then out[#out + 1] = m end
  end
  return out
end

app.get("/", function()
  return { file = "public/index.html" }
end)

app.get("/history", function(req)
  local list = {}
  for i, m in ipairs(messages(tonumber(req.query.after) or 0)) do
    list[i] = json.decode(m)
  end
  return { json = list }
end)

-- For clients without a WebSocket (and for scripts): { from, text }.
app.post("/messages", function(req)
  local body = req:json()
  if type(body) ~= "table" or not valid_name(body.from) or type(body.text) ~= "string"
    or #body.text == 0 or #body.text > 500 then
    return { status = 422, json = { error = "want { from = name, text = 1-500 characters }" } }
  end
  return { status = 201, json = { id = post(body.from, body.text) } }
end)

app.ws("/ws", {
  open = function(conn, req)
    if not valid_name(req.query.name) then
      return { status = 400, text = "name: 1-20 letters, digits, _ or -\n" }
    end
    conn:set("name", req.query.name)
    conn:subscribe("chat")
    post("server", req.query.name .. " joined")
  end,
  message = function(conn, data, kind)
    if kind ~= "text" or #data == 0 or #data > 500 then
      conn:send(json.encode({ error = "messages are 1-500 characters of text" }))
      return
    end
    post(conn:get("name"), data)
  end,
  close = function(conn)
    post("server", conn:get("name") .. " left")
  end,
})

app.sse("/events", {
  open = function(stream)
    stream:subscribe("chat")
    store.set("chat:viewer:" .. stream.id, true, KEEP)
    -- A reconnecting EventSource says where it left off: send what it
    -- missed (a message published meanwhile may come twice: ids tell).
    local last = tonumber(stream.last_event_id)
    stream:send({ event = "hello", retry = 1000, data = stream.id })
    if last then
      log.info("viewer resumed", { after = last })
      for _, m in ipairs(messages(last)) do
        stream:send({ id = tostring(json.decode(m).id), event = "message", data = m })
      end
    end
  end,
  close = function(stream)
    store.delete("chat:viewer:" .. stream.id)
  end,
})

app.get("/viewers", function()
  return { json = { viewers = #(store.keys("chat:viewer:") or {}) } }
end)
