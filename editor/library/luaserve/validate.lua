---@meta luaserve.validate

---Checks a value against a declared shape; every problem at once.
---@class luaserve.validate
local validate = {}

---@class luaserve.validate.Rule
---@field type? "string"|"number"|"integer"|"boolean"|"array"|"object"|"any"
---@field required? boolean
---@field min? number characters, value or items
---@field max? number characters, value or items
---@field pattern? string a Lua pattern
---@field enum? any[]
---@field items? luaserve.validate.Rule
---@field fields? table<string, luaserve.validate.Rule>
---@field extra? boolean false: fields not named are problems
---@field message? string replaces the message of any problem with this field

---@class luaserve.validate.Problem
---@field field string "address.city", "tags[2]"
---@field message string

---@class luaserve.validate.Shape
local Shape = {}

---@param value any
---@param opts? { extra: boolean }
---@return any? value
---@return luaserve.validate.Problem[]? problems
function Shape:check(value, opts) end

---Checks the declaration (an error here names the field).
---@param fields table<string, luaserve.validate.Rule>
---@return luaserve.validate.Shape
function validate.shape(fields) end

---validate.shape(fields):check(value, opts)
---@param value any
---@param fields table<string, luaserve.validate.Rule>
---@param opts? { extra: boolean }
---@return any? value
---@return luaserve.validate.Problem[]? problems
function validate.check(value, fields, opts) end

return validate
