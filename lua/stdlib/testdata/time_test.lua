-- luaserve.time, run by TestLuaModules.
local time = require("luaserve.time")

assert(time.now() > 1700000000, "seconds since the epoch")
local t0 = time.monotonic()
time.sleep(0.01)
assert(time.monotonic() - t0 >= 0.01, "sleep waits")
time.sleep(0)
time.sleep(-1)
assert(not pcall(time.sleep, "soon"), "sleep needs a number")

-- RFC 3339: formatting, in UTC or at an offset.
assert(time.format_rfc3339(0) == "1970-01-01T00:00:00Z")
assert(time.format_rfc3339(1700000000) == "2023-11-14T22:13:20Z")
assert(time.format_rfc3339(1700000000.5) == "2023-11-14T22:13:20.5Z")
assert(time.format_rfc3339(1700000000.000123) == "2023-11-14T22:13:20.000123Z", "microseconds")
assert(time.format_rfc3339(1700000000, "+02:00") == "2023-11-15T00:13:20+02:00")
assert(time.format_rfc3339(1700000000, -(5 * 3600 + 1800)) == "2023-11-14T16:43:20-05:30")
assert(time.format_rfc3339(1700000000, "Z") == "2023-11-14T22:13:20Z")
assert(time.format_rfc3339(1700000000, 0) == "2023-11-14T22:13:20Z")
assert(time.format_rfc3339(-1) == "1969-12-31T23:59:59Z")
for _, bad in ipairs({ "+2:00", "02:00", "+25:00", "UTC", "" }) do
  assert(not pcall(time.format_rfc3339, 0, bad), "offset " .. bad)
end
assert(not pcall(time.format_rfc3339, 0, 90), "an offset of 90 seconds is not whole minutes")
assert(not pcall(time.format_rfc3339, 1e15), "year 10000 and later")
assert(not pcall(time.format_rfc3339, 0 / 0), "NaN")

-- RFC 3339: parsing; the examples of its section 5.8.
local t, off = time.parse_rfc3339("1985-04-12T23:20:50.52Z")
assert(math.abs(t - 482196050.52) < 1e-6 and off == 0, t)
t, off = time.parse_rfc3339("1996-12-19T16:39:57-08:00")
assert(t == 851042397 and off == -28800, t)
assert(time.parse_rfc3339("1996-12-19t16:39:57-08:00") == 851042397, "lowercase t")
assert(time.parse_rfc3339("1996-12-20 00:39:57z") == 851042397, "a space and lowercase z")
assert(time.parse_rfc3339("2026-12-01") == 1796083200, "a date alone is midnight UTC")
t, off = time.parse_rfc3339(time.format_rfc3339(1700000000.25, "+05:45"))
assert(t == 1700000000.25 and off == 20700, "round trip at an offset")
for _, bad in ipairs({ "1990-12-31T23:59:60Z", "2026-02-30T00:00:00Z", "2026-12-01T10:00:00", "2026-12-01T10:00Z",
  "20261201T100000Z", "yesterday", "", "2026-12-01T10:00:00+0200" }) do
  local v, err = time.parse_rfc3339(bad)
  assert(v == nil and err:find("^time: not an RFC 3339 date"), bad)
end

-- HTTP dates: RFC 9110 section 5.6.7's example in its three forms.
assert(time.format_http(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
assert(time.format_http(784111777.9) == "Sun, 06 Nov 1994 08:49:37 GMT", "fractions are dropped")
assert(time.parse_http("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777)
assert(time.parse_http("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777, "RFC 850")
assert(time.parse_http("Sun Nov  6 08:49:37 1994") == 784111777, "asctime")
assert(time.parse_http(time.format_http(1700000000)) == 1700000000)
for _, bad in ipairs({ "Sun, 06 Nov 1994 08:49:37 PST", "06 Nov 1994", "Sun, 6 Nov 1994 08:49:37 GMT", "" }) do
  local v, err = time.parse_http(bad)
  assert(v == nil and err:find("^time: not an HTTP date"), bad)
end
