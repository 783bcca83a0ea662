package luatest

import (
	"strings"
	"testing"
)

const gatewayRoutes = `local app = require("luaserve")
local http = require("luaserve.http")
app.get("/weather/:city", function(req)
  local res, err = http.get("https://api.weather.test/v1/now", { query = { city = req.params.city } })
  if not res then return { status = 502, json = { error = err } } end
  return { status = res.status, json = { temp = res.json and res.json.temp, status = res.status } }
end)
app.post("/hook", function(req)
  local rs = http.request_all{
    { method = "POST", url = "https://a.test/hook", body = req.body, headers = { ["X-Sig"] = "s" } },
    { method = "POST", url = "https://b.test/hook", json = { got = req.body } },
  }
  return { json = { a = rs[1].status or rs[1].err, b = rs[2].status or rs[2].err } }
end)
`

// TestHTTPMocks: http.mock answers the routes' outbound calls with a table
// or a function, the most recent match wins, an unmatched call fails,
// http.calls() lists what was sent, and mocks end with their test.
func TestHTTPMocks(t *testing.T) {
	t.Parallel()
	dir := write(t, "routes.lua", gatewayRoutes, "routes_test.lua", `
test("a table answers", function()
  http.mock("api%.weather%.test", { json = { temp = 21 } })
  local res = get("/weather/oslo")
  expect(res.json).to_equal({ temp = 21, status = 200 })
  local calls = http.calls()
  expect(#calls).to_be(1)
  expect(calls[1].url).to_be("https://api.weather.test/v1/now?city=oslo")
end)
test("a function answers, the latest match wins", function()
  http.mock("weather", { status = 500 })
  http.mock("city=paris", function(call)
    expect(call.method).to_be("GET")
    return { status = 503, body = "down" }
  end)
  expect(get("/weather/paris").json.status).to_be(503)
  expect(get("/weather/rome").json.status).to_be(500)
end)
test("mocks end with their test; unmatched calls fail", function()
  local res = get("/weather/oslo")
  expect(res.status).to_be(502)
  expect(res.json.error).to_contain("no http.mock matches GET https://api.weather.test/v1/now?city=oslo")
end)
test("failures and request_all", function()
  http.mock("a%.test", function(call)
    expect(call.headers["x-sig"]).to_be("s")
    expect(call.body).to_be("payload")
    return { status = 202 }
  end)
  http.mock("b%.test", { err = "connection refused" })
  local res = post("/hook", "payload")
  expect(res.json.a).to_be(202)
  expect(res.json.b).to_contain("connection refused")
  expect(#http.calls()).to_be(2)
end)
`)
	sum, out := runIn(t, Config{}, dir)
	if sum.Passed != 4 || sum.Failed != 0 {
		t.Errorf("passed %d failed %d:\n%s", sum.Passed, sum.Failed, out)
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("output:\n%s", out)
	}
}
