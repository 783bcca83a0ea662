---@meta luaserve.url

---@class luaserve.url
local url = {}

---Percent-encodes all but A-Z a-z 0-9 - . _ ~
---@param s string
---@return string
function url.encode(s) end

---@param s string
---@return string? decoded
---@return string? err
function url.decode(s) end

---Form encoding, keys sorted, list values repeated.
---@param t table<string, string|number|boolean|string[]>
---@return string
function url.encode_query(t) end

---Name -> first value.
---@param s string
---@return table<string, string>
function url.parse_query(s) end

---Name -> list of values.
---@param s string
---@return table<string, string[]>
function url.parse_query_all(s) end

return url
