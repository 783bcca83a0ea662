-- bench/routes.lua: the routes ../shared/bench/run.sh expects, in Lua.
--   LUASERVE_BIN=/tmp/luaserve LUASERVE_ROUTES=bench/routes.lua bash ../shared/bench/run.sh
local app = require("luaserve")

app.get("/hello", function()
  return "Hello, World!"
end)

app.get("/users/:id", function(req)
  local id = req.params.id
  return { json = { id = id, name = "user-" .. id, fields = req.query.fields or "" } }
end)

-- The harness starts luaserve in a scratch folder whose ./static holds the
-- test files, and says where in BENCH_STATIC_DIR.
app.static("/static", os.getenv("BENCH_STATIC_DIR") or "static")
