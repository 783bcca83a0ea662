-- bench/soak/routes.lua: what the soak serves. Normal routes answer at
-- once; the others are what a careless script does with hostile input.
local app = require("luaserve")
local json = require("luaserve.json")

app.get("/hello", function() return "Hello, World!" end)
app.get("/users/:id", function(req)
  return { json = { id = req.params.id, fields = req.query.fields or "" } }
end)
app.post("/echo", function(req) return { json = { n = #req.body } } end)

-- Hostile input meets careless code.
-- The subject comes in the body: 100 KB in a query would be refused (414)
-- before the route runs.
app.post("/match", function(req) return tostring(string.match(req.body, req.query.p or "")) end)
app.get("/rep", function(req) return tostring(#string.rep("x", tonumber(req.query.n) or 1)) end)
app.get("/grow", function()
  local s = "0123456789abcdef"
  for _ = 1, 30 do s = s .. s end
  return tostring(#s)
end)
app.get("/spin", function() while true do end end)
app.get("/boom", function() error({ code = 42, why = "always fails" }) end)
app.post("/decode", function(req) local v = json.decode(req.body) return { json = { ok = v ~= nil } } end)
