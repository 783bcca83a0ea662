-- Echoes what a route sees of the request, as JSON.
local app = require("luaserve")
local json = require("luaserve.json")

app.any("/echo/:a/*rest", function(req)
  local fields = {}
  for k, v in pairs(req) do
    fields[k] = v
  end
  return { json = fields }
end)

app.post("/helpers", function(req)
  local data, err = req:json()
  return { json = {
    json = data or json.null,
    json_err = err or json.null,
    header = req:header("X-Thing") or json.null,
    header_values = json.array(req:header_values("x-thing")),
    query_values = json.array(req:query_values("k")),
    cookie = req:cookie("session") or json.null,
  } }
end)

app.post("/form", function(req)
  return { json = { form = req:form(), all = json.array(req:form_values("tag")) } }
end)

app.get("/lazy", function(req)
  -- Only what is read is built; a missing field is nil.
  return { json = { method = req.method, nothing = req.nothing == nil } }
end)
