---@meta luaserve.json

---@class luaserve.json
---@field null userdata decodes from, and encodes as, null
local json = {}

---@class luaserve.json.EncodeOptions
---@field indent? string
---@field sort_keys? boolean

---Encodes a value as JSON.
---@param value any
---@param options? luaserve.json.EncodeOptions
---@return string? text
---@return string? err
function json.encode(value, options) end

---Decodes JSON text (strict RFC 8259).
---@param text string
---@return any value
---@return string? err
function json.decode(text) end

---Marks t to encode as an array, even when empty.
---@generic T: table
---@param t T
---@return T
function json.array(t) end

---Marks t to encode as an object, even when empty.
---@generic T: table
---@param t T
---@return T
function json.object(t) end

return json
