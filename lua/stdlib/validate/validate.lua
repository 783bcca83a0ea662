-- luaserve.validate: check a value against a declared shape, and list every
-- problem at once.
--
--   local validate = require("luaserve.validate")
--   local signup = validate.shape({
--     user = { type = "string", required = true, min = 3, max = 32, pattern = "^[%w_]+$" },
--     age = { type = "integer", min = 0 },
--     tags = { type = "array", max = 10, items = { type = "string" } },
--   })
--   local body, problems = signup:check(req:json())
--   if not body then return { status = 422, json = { errors = problems } } end
--
-- A shape is a table of fields, name -> rule. A rule's keys:
--   type      "string" "number" "integer" "boolean" "array" "object" "any" (default)
--   required  the field must be present (nil and json.null are absent)
--   min, max  bounds: a string's length in characters (UTF-8), a number's
--             value, an array's number of items
--   pattern   a Lua pattern a string must match (string.find), e.g. "^%d+$"
--   enum      a list of the allowed values
--   items     the rule for each item of an array
--   fields    the shape of an object; with extra = false, fields not in it
--             are problems
--   message   the message for any problem with this field, instead of ours
-- Problems are { field = "tags[2]", message = "must be a string" }, sorted by
-- field. A shape with an unknown rule key, type or a bad bound is an error
-- when it is made, naming the field.

local json = require("luaserve.json")

local M = {}

local types = { string = true, number = true, integer = true, boolean = true, array = true, object = true, any = true }
local ruleKeys = { type = true, required = true, min = true, max = true, pattern = true, enum = true, items = true,
  fields = true, extra = true, message = true }
local Shape = {}
Shape.__index = Shape

local checkFields

-- checkRule raises an error for a malformed rule at path.
local function checkRule(rule, path)
  if type(rule) ~= "table" then
    error("validate: the rule for '" .. path .. "' must be a table", 0)
  end
  for k in pairs(rule) do
    if not ruleKeys[k] then
      error("validate: unknown rule key '" .. tostring(k) .. "' for '" .. path .. "'", 0)
    end
  end
  if rule.type ~= nil and not types[rule.type] then
    error("validate: unknown type '" .. tostring(rule.type) .. "' for '" .. path .. "'", 0)
  end
  for _, k in ipairs({ "min", "max" }) do
    if rule[k] ~= nil and type(rule[k]) ~= "number" then
      error("validate: " .. k .. " for '" .. path .. "' must be a number", 0)
    end
  end
  if rule.pattern ~= nil then
    if type(rule.pattern) ~= "string" then
      error("validate: pattern for '" .. path .. "' must be a string", 0)
    end
    local ok, err = pcall(string.find, "", rule.pattern)
    if not ok then
      error("validate: pattern for '" .. path .. "': " .. tostring(err), 0)
    end
  end
  if rule.enum ~= nil and (type(rule.enum) ~= "table" or #rule.enum == 0) then
    error("validate: enum for '" .. path .. "' must be a non-empty list", 0)
  end
  if rule.items ~= nil then
    checkRule(rule.items, path .. "[]")
  end
  if rule.fields ~= nil then
    checkFields(rule.fields, path .. ".")
  end
end

checkFields = function(fields, prefix)
  if type(fields) ~= "table" then
    error("validate: a shape must be a table of fields", 0)
  end
  for name, rule in pairs(fields) do
    if type(name) ~= "string" then
      error("validate: field names must be strings", 0)
    end
    checkRule(rule, prefix .. name)
  end
end

-- callerLevel is error()'s level for "the caller of the function calling
-- error": 3, not Lua 5.1's 2, because gopher-lua v1.1.2 counts one more.
local callerLevel = 3

-- validate.shape(fields) -> shape: checks the declaration once, at load;
-- a mistake in it is an error at the caller's line.
function M.shape(fields)
  local ok, err = pcall(checkFields, fields, "")
  if not ok then
    error(err, callerLevel)
  end
  return setmetatable({ fields = fields }, Shape)
end

local function jsonType(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__jsontype") or nil
end

-- isArray: marked as an array by luaserve.json, or keys exactly 1..n.
local function isArray(t)
  local mark = jsonType(t)
  if mark then
    return mark == "array"
  end
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" then
      return false
    end
    n = n + 1
  end
  return n == #t
end

local function isObject(t)
  local mark = jsonType(t)
  if mark then
    return mark == "object"
  end
  return next(t) == nil or not isArray(t)
end

local checks = {
  string = function(v) return type(v) == "string" end,
  number = function(v) return type(v) == "number" and v == v end,
  integer = function(v) return type(v) == "number" and v == math.floor(v) and v - v == 0 end,
  boolean = function(v) return type(v) == "boolean" end,
  array = function(v) return type(v) == "table" and isArray(v) end,
  object = function(v) return type(v) == "table" and isObject(v) end,
}

local article = { integer = "an", array = "an", object = "an" }

-- utf8len counts the characters of s: the bytes that do not continue one.
local function utf8len(s)
  local _, n = s:gsub("[^\128-\191]", "")
  return n
end

local checkValue, checkObject

-- bounds adds problems for v outside rule.min and rule.max.
local function bounds(rule, v, path, add)
  local size, unit
  if type(v) == "string" then
    size, unit = utf8len(v), " characters"
  elseif type(v) == "table" then
    size, unit = #v, " items"
  elseif type(v) == "number" then
    size, unit = v, ""
  else
    return
  end
  if rule.min and size < rule.min then
    add(path, "must be at least " .. rule.min .. unit)
  elseif rule.max and size > rule.max then
    add(path, "must be at most " .. rule.max .. unit)
  end
end

checkValue = function(rule, v, path, add)
  local t = rule.type or "any"
  if t ~= "any" and not checks[t](v) then
    return add(path, "must be " .. (article[t] or "a") .. " " .. t)
  end
  if rule.enum then
    local found = false
    for _, e in ipairs(rule.enum) do
      if e == v then found = true break end
    end
    if not found then
      local names = {}
      for i, e in ipairs(rule.enum) do names[i] = tostring(e) end
      return add(path, "must be one of: " .. table.concat(names, ", "))
    end
  end
  if type(v) ~= "table" or t == "array" then
    bounds(rule, v, path, add)
  end
  if rule.pattern and type(v) == "string" and not v:find(rule.pattern) then
    add(path, "is not in the expected format")
  end
  if rule.items and type(v) == "table" then
    for i = 1, #v do
      checkValue(rule.items, v[i], path .. "[" .. i .. "]", add)
    end
  end
  if rule.fields and type(v) == "table" then
    checkObject(rule.fields, v, path .. ".", add, rule.extra == false)
  end
end

-- checkObject checks the object v against fields; problems go to add.
checkObject = function(fields, v, prefix, add, strict)
  for name, rule in pairs(fields) do
    local fv = v[name]
    if fv == nil or json.null == fv then
      if rule.required then
        add(prefix .. name, "is required", rule)
      end
    else
      checkValue(rule, fv, prefix .. name, function(p, m) add(p, m, rule) end)
    end
  end
  if strict then
    for k in pairs(v) do
      if type(k) ~= "string" or fields[k] == nil then
        add(prefix .. tostring(k), "is not allowed")
      end
    end
  end
end

-- shape:check(value [, opts]) -> value | nil, problems. opts.extra = false
-- refuses fields the shape does not name.
function Shape:check(value, opts)
  local problems = {}
  local function add(path, message, rule)
    problems[#problems + 1] = { field = path, message = rule and rule.message or message }
  end
  if type(value) ~= "table" or not isObject(value) then
    add("", "must be an object")
  else
    checkObject(self.fields, value, "", add, opts ~= nil and opts.extra == false)
  end
  if #problems == 0 then
    return value
  end
  table.sort(problems, function(a, b)
    if a.field ~= b.field then return a.field < b.field end
    return a.message < b.message
  end)
  return nil, json.array(problems)
end

-- validate.check(value, fields [, opts]): validate.shape(fields):check(value, opts).
function M.check(value, fields, opts)
  local ok, err = pcall(checkFields, fields, "")
  if not ok then
    error(err, callerLevel)
  end
  return setmetatable({ fields = fields }, Shape):check(value, opts)
end

return M
