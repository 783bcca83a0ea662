-- bench/gateway.sh's luaserve side: every request calls the upstream and
-- returns its status, type and body.
local app = require("luaserve")
local http = require("luaserve.http")
local upstream = os.getenv("UPSTREAM") or "http://127.0.0.1:22001"

app.get("/", function()
  local res, err = http.get(upstream .. "/")
  if not res then
    return { status = 502, body = err }
  end
  return { status = res.status, body = res.body, headers = { ["content-type"] = res.headers["content-type"] } }
end)
