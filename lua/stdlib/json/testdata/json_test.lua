-- Lua-side tests of luaserve.json, run by TestJSONLua. Each check is an
-- assert, so a failure reports this file and line.
local json = require("luaserve.json")

local function eq(got, want, what)
  assert(got == want, (what or "value") .. ": got " .. tostring(got) .. ", want " .. tostring(want))
end

-- encode: scalars and the shape of tables
eq(json.encode({ id = 42, name = "user-42", admin = false }), '{"id":42,"name":"user-42","admin":false}')
eq(json.encode({ "a", "b" }), '["a","b"]')
eq(json.encode({}), "[]", "empty table")
eq(json.encode(nil), "null")
eq(json.encode(), "null", "no argument")
eq(json.encode("tab\there"), '"tab\\there"')
eq(json.encode(0.1), "0.1")
eq(json.encode(2^53), "9007199254740992")

-- lists built with table.insert, empty or not
local list = {}
eq(json.encode(list), "[]")
table.insert(list, { id = 1 })
table.insert(list, { id = 2 })
eq(json.encode({ items = list }), '{"items":[{"id":1},{"id":2}]}')

-- keys come out in the order the table was built
local user = {}
user.name = "ann"
user.email = "ann@example.com"
user.id = 7
eq(json.encode(user), '{"name":"ann","email":"ann@example.com","id":7}')

-- json.null keeps array length and object members
eq(json.encode({ 1, json.null, 3 }), "[1,null,3]")
eq(json.encode({ deleted_at = json.null }), '{"deleted_at":null}')
eq(tostring(json.null), "null")
assert(json.null, "json.null is truthy")

-- json.array and json.object decide for empty and ambiguous tables
eq(json.encode({ tags = json.array() }), '{"tags":[]}')
eq(json.encode({ attrs = json.object() }), '{"attrs":{}}')
local marked = {}
assert(json.object(marked) == marked, "json.object returns its argument")
eq(json.encode(marked), "{}")
eq(json.encode(json.array(marked)), "[]", "marks can be changed")
eq(json.encode(json.object({ 10, 20 })), '{"1":10,"2":20}')
eq(json.encode(setmetatable({}, { __jsontype = "object" })), "{}", "__jsontype in a class metatable")
local ok, err = pcall(json.array, setmetatable({}, {}))
assert(not ok and err:find("__jsontype", 1, true), "json.array refuses a foreign metatable: " .. tostring(err))
ok, err = pcall(json.object, "x")
assert(not ok and err:find("table expected", 1, true), tostring(err))

-- options
eq(json.encode({ b = 1, a = { 1, 2 }, c = {} }, { sort_keys = true }), '{"a":[1,2],"b":1,"c":[]}')
eq(json.encode({ b = 1, a = { x = true }, e = json.object() }, { indent = "  ", sort_keys = true }), [[
{
  "a": {
    "x": true
  },
  "b": 1,
  "e": {}
}]])
eq(json.encode({ 1, { 2 } }, { indent = "\t" }), "[\n\t1,\n\t[\n\t\t2\n\t]\n]")
eq(json.encode({}, { indent = "  " }), "[]")
eq(json.encode({ 1 }, {}), "[1]", "empty options")
eq(json.encode({ [2] = "b", [1] = "a", x = 1 }, { sort_keys = true }), '{"1":"a","2":"b","x":1}')
ok, err = pcall(json.encode, {}, { sortkeys = true })
assert(not ok and err:find('unknown option "sortkeys"', 1, true), tostring(err))
ok, err = pcall(json.encode, {}, { indent = 2 })
assert(not ok and err:find("indent", 1, true), tostring(err))
ok, err = pcall(json.encode, {}, "pretty")
assert(not ok and err:find("table expected", 1, true), tostring(err))

-- encode errors are returned, not raised
local s
s, err = json.encode({ users = { { name = "a" }, { cb = print } } })
eq(s, nil)
eq(err, "json: cannot encode function at .users[2].cb")
local cyclic = { name = "loop" }
cyclic.self = cyclic
s, err = json.encode(cyclic)
eq(err, "json: cycle at .self")
s, err = json.encode({ n = 0 / 0 })
eq(err, "json: cannot encode nan at .n")
s, err = json.encode({ [true] = 1 })
eq(err, "json: cannot encode key of type boolean")
s, err = json.encode({ [1] = 1, [1000] = 2 })
eq(err, "json: sparse array")
s, err = json.encode({ 1, 2 }, { sort_keys = true, indent = " " })
eq(s, "[\n 1,\n 2\n]")

-- decode
local v = json.decode([[{"id": 42, "tags": ["a", "b"], "owner": null, "ok": true, "ratio": -1.5e2}]])
eq(v.id, 42)
eq(#v.tags, 2)
eq(v.tags[2], "b")
eq(v.owner, json.null)
eq(v.ok, true)
eq(v.ratio, -150)
eq(#json.decode("[null, null, 3]"), 3, "length with nulls")
eq(json.decode("null"), json.null)
eq(json.decode('"\\ud83d\\ude00 \\u00e9"'), "😀 é")
eq(json.decode('{"a":1,"a":2}').a, 2, "last duplicate wins")
eq(json.decode(" 12 "), 12)

-- decode -> encode keeps [] and {} and the key order of the input
eq(json.encode(json.decode('{"z":[],"y":{},"x":[{}]}')), '{"z":[],"y":{},"x":[{}]}')
local doc = json.decode('{"list": []}')
table.insert(doc.list, "first")
eq(json.encode(doc), '{"list":["first"]}', "a decoded array stays an array")

-- bad JSON returns nil and a message with the position
v, err = json.decode('{"a": 1,}')
eq(v, nil)
eq(err, "json: unexpected character '}' at line 1 column 9")
v, err = json.decode("[1, 2")
eq(err, "json: unexpected end of input")
v, err = json.decode("{\n  \"a\": tru\n}")
eq(err, "json: unexpected character '\\n' at line 2 column 11")
v, err = json.decode("NaN")
eq(err, "json: unexpected character 'N' at line 1 column 1")
v, err = json.decode("")
eq(err, "json: unexpected end of input")

-- misuse raises
ok, err = pcall(json.decode, { "not", "a", "string" })
assert(not ok and err:find("string expected, got table", 1, true), tostring(err))
ok, err = pcall(json.decode)
assert(not ok and err:find("string expected, got nil", 1, true), tostring(err))
