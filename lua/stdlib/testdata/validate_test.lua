-- luaserve.validate, run by TestLuaModules.
local validate = require("luaserve.validate")
local json = require("luaserve.json")

local signup = validate.shape({
  user = { type = "string", required = true, min = 3, max = 8, pattern = "^[%w_]+$" },
  password = { type = "string", required = true, min = 8 },
  age = { type = "integer", min = 0, max = 150 },
  role = { enum = { "admin", "user" } },
  tags = { type = "array", max = 3, items = { type = "string", max = 5 } },
  address = { type = "object", fields = { city = { type = "string", required = true }, zip = { type = "string", pattern = "^%d%d%d%d%d$" } } },
  pin = { type = "string", pattern = "^%d+$", message = "must be digits" },
})

local function problems(body, opts)
  local v, errs = signup:check(type(body) == "string" and json.decode(body) or body, opts)
  if v then return "" end
  local out = {}
  for i, p in ipairs(errs) do out[i] = p.field .. " " .. p.message end
  return table.concat(out, "; ")
end

local function check(got, want)
  assert(got == want, "\n got: " .. got .. "\nwant: " .. want)
end

-- A good body passes and comes back.
local good = json.decode('{"user":"ann_1","password":"correct horse","age":30,"role":"admin","tags":["a","b"],' ..
  '"address":{"city":"Oslo","zip":"01234"},"pin":"42"}')
assert(signup:check(good) == good)
check(problems('{"user":"ann","password":"12345678"}'), "")

-- Every problem at once, sorted by field.
check(problems('{}'), "password is required; user is required")
check(problems('{"user":"a!","password":"short","age":1.5,"role":"root","tags":["ok",7,"toolong"],' ..
  '"address":{"zip":"1"},"pin":"x"}'),
  "address.city is required; address.zip is not in the expected format; age must be an integer; " ..
  "password must be at least 8 characters; pin must be digits; role must be one of: admin, user; " ..
  "tags[2] must be a string; tags[3] must be at most 5 characters; user is not in the expected format; " ..
  "user must be at least 3 characters")
check(problems('{"user":"ann","password":"12345678","age":-1,"tags":["a","b","c","d"],"address":[]}'),
  "address must be an object; age must be at least 0; tags must be at most 3 items")
check(problems('{"user":123,"password":null,"address":{"city":"x"}}'), "password is required; user must be a string")
check(problems('[1,2]'), " must be an object")
check(problems("text"), " must be an object")
check(problems(nil), " must be an object")
-- Lengths count characters, not bytes.
check(problems('{"user":"åäöåäö","password":"pässwörd"}'), "user is not in the expected format")
check(problems('{"user":"ååååååååå","password":"12345678"}'), "user is not in the expected format; user must be at most 8 characters")
-- Unknown fields pass unless refused.
check(problems('{"user":"ann","password":"12345678","admin":true}'), "")
check(problems('{"user":"ann","password":"12345678","admin":true}', { extra = false }), "admin is not allowed")
local strict = validate.shape({ a = { type = "object", extra = false, fields = { b = { type = "number" } } } })
local _, errs = strict:check(json.decode('{"a":{"b":1,"c":2}}'))
assert(errs[1].field == "a.c" and errs[1].message == "is not allowed")
-- The problems list encodes as a JSON array, ready for a 422.
check(json.encode(select(2, validate.check({}, { x = { required = true } }))), '[{"field":"x","message":"is required"}]')
assert(validate.check({ x = 1 }, { x = { type = "number" } }))

-- A wrong shape is an error where it is declared.
for _, bad in ipairs({
  { user = { type = "text" } },
  { user = { requried = true } },
  { user = "string" },
  { user = { min = "3" } },
  { user = { pattern = "[a-" } },
  { user = { enum = {} } },
  { user = { items = { tpye = "string" } } },
}) do
  local ok, err = pcall(validate.shape, bad)
  assert(not ok and err:find("validate: "), tostring(err))
end
local ok, err = pcall(function()
  validate.shape({ user = { type = "text" } })
end)
assert(err:find("^.-validate_test.lua:74: validate: unknown type 'text' for 'user'"), err)
ok, err = pcall(validate.shape, { a = { fields = { b = { max = {} } } } })
assert(err:find("max for 'a.b' must be a number", 1, true), err)
