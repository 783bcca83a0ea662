---@meta luaserve.time

---@class luaserve.time
local time = {}

---Unix time in seconds, with fractions.
---@return number
function time.now() end

---Seconds on a clock that never jumps.
---@return number
function time.monotonic() end

---Blocks this Lua state; ends early with an error when the request's time
---limit passes or its client goes away.
---@param seconds number
function time.sleep(seconds) end

---RFC 3339: "2026-12-01T09:30:00Z"; fractions of a second (to the
---microsecond) only when t has them. Years 0 to 9999.
---@param t number seconds since the epoch
---@param offset? string|number "+02:00", "Z", or seconds east of UTC (whole minutes)
---@return string
function time.format_rfc3339(t, offset) end

---Reads RFC 3339 date-times (offset or Z required) and ISO 8601 dates alone
---("2026-12-01", midnight UTC).
---@param s string
---@return number? t seconds since the epoch
---@return number|string offset seconds east of UTC, or the error
function time.parse_rfc3339(s) end

---IMF-fixdate (RFC 9110), always GMT: "Tue, 01 Dec 2026 09:30:00 GMT".
---@param t number
---@return string
function time.format_http(t) end

---Reads an HTTP date: IMF-fixdate, RFC 850 or asctime.
---@param s string
---@return number? t
---@return string? err
function time.parse_http(s) end

return time
