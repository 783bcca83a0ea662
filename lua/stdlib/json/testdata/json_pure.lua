-- json_pure.lua: a plain pure-Lua JSON encoder and decoder of the kind Lua
-- projects ship (in the style of rxi/json.lua). BenchmarkJSON runs it next to
-- the Go module, in the same state, to measure the difference. Not used by
-- the server.
local M = {}

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function escape_char(c)
  return escapes[c] or string.format("\\u%04x", c:byte())
end

local encode_value

local function encode_table(t, seen)
  if seen[t] then error("circular reference") end
  seen[t] = true
  local out = {}
  if next(t) == nil or rawget(t, 1) ~= nil then
    local n = 0
    for k in pairs(t) do
      if type(k) ~= "number" then error("mixed or invalid key types") end
      n = n + 1
    end
    if n ~= #t then error("sparse array") end
    for i = 1, n do out[i] = encode_value(t[i], seen) end
    seen[t] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  for k, v in pairs(t) do
    if type(k) ~= "string" then error("mixed or invalid key types") end
    out[#out + 1] = encode_value(k, seen) .. ":" .. encode_value(v, seen)
  end
  seen[t] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

encode_value = function(v, seen)
  local t = type(v)
  if t == "string" then
    return '"' .. (v:gsub('[%c"\\]', escape_char)) .. '"'
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("unexpected number " .. tostring(v)) end
    return string.format("%.14g", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "nil" then
    return "null"
  elseif t == "table" then
    return encode_table(v, seen)
  end
  error("unexpected type " .. t)
end

function M.encode(v)
  return encode_value(v, {})
end

local unescapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function utf8_char(n)
  if n < 0x80 then return string.char(n) end
  if n < 0x800 then
    return string.char(0xC0 + math.floor(n / 0x40), 0x80 + n % 0x40)
  end
  if n < 0x10000 then
    return string.char(0xE0 + math.floor(n / 0x1000), 0x80 + math.floor(n / 0x40) % 0x40, 0x80 + n % 0x40)
  end
  return string.char(0xF0 + math.floor(n / 0x40000), 0x80 + math.floor(n / 0x1000) % 0x40,
    0x80 + math.floor(n / 0x40) % 0x40, 0x80 + n % 0x40)
end

local function decode_error(s, i, msg)
  error(string.format("%s at position %d", msg, i))
end

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local parse

local function parse_string(s, i)
  local parts, j = {}, i + 1
  while true do
    local k = s:find('["\\%c]', j)
    if not k then decode_error(s, i, "unterminated string") end
    parts[#parts + 1] = s:sub(j, k - 1)
    local c = s:sub(k, k)
    if c == '"' then return table.concat(parts), k + 1 end
    if c ~= "\\" then decode_error(s, k, "control character in string") end
    local e = s:sub(k + 1, k + 1)
    if e == "u" then
      local hex = s:sub(k + 2, k + 5)
      if not hex:find("^%x%x%x%x$") then decode_error(s, k, "invalid unicode escape") end
      local n = tonumber(hex, 16)
      j = k + 6
      if n >= 0xD800 and n < 0xDC00 and s:sub(j, j + 1) == "\\u" then
        local lo = tonumber(s:sub(j + 2, j + 5), 16)
        if lo and lo >= 0xDC00 and lo < 0xE000 then
          n = 0x10000 + (n - 0xD800) * 0x400 + (lo - 0xDC00)
          j = j + 6
        end
      end
      parts[#parts + 1] = utf8_char(n)
    else
      local u = unescapes[e]
      if not u then decode_error(s, k, "invalid escape") end
      parts[#parts + 1] = u
      j = k + 2
    end
  end
end

parse = function(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then decode_error(s, i, "expected string key") end
      local k
      k, i = parse_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then decode_error(s, i, "expected ':'") end
      obj[k], i = parse(s, skip(s, i + 1))
      i = skip(s, i)
      c = s:sub(i, i)
      if c == "}" then return obj, i + 1 end
      if c ~= "," then decode_error(s, i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local arr, n = {}, 0
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      n = n + 1
      arr[n], i = parse(s, i)
      i = skip(s, i)
      c = s:sub(i, i)
      if c == "]" then return arr, i + 1 end
      if c ~= "," then decode_error(s, i, "expected ',' or ']'") end
      i = skip(s, i + 1)
    end
  elseif c == '"' then
    return parse_string(s, i)
  end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if num then return tonumber(num), i + #num end
  if s:sub(i, i + 3) == "true" then return true, i + 4 end
  if s:sub(i, i + 4) == "false" then return false, i + 5 end
  if s:sub(i, i + 3) == "null" then return nil, i + 4 end
  decode_error(s, i, "unexpected character '" .. c .. "'")
end

function M.decode(s)
  local v, i = parse(s, skip(s, 1))
  i = skip(s, i)
  if i <= #s then decode_error(s, i, "trailing garbage") end
  return v
end

return M
