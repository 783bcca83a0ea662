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

return time
