-- luaserve.url, run by TestLuaModules.
local url = require("luaserve.url")

assert(url.encode("a b&c/d~é") == "a%20b%26c%2Fd~%C3%A9")
assert(url.encode("") == "")
assert(url.decode("a%20b%26+") == "a b&+", "decode keeps +")
local v, err = url.decode("bad%zz")
assert(v == nil and err == "url: malformed percent-encoding")
assert(url.encode_query({ b = "2", a = { "x", "y z" } }) == "a=x&a=y+z&b=2")
assert(url.encode_query({}) == "")

local q = url.parse_query("x=1&y=a+b&x=2&&bad=%zz&empty=&novalue")
assert(q.x == "1", "first value wins")
assert(q.y == "a b")
assert(q.bad == nil, "malformed pairs are skipped")
assert(q.empty == "" and q.novalue == "")
local all = url.parse_query_all("x=1&x=2&y=3")
assert(#all.x == 2 and all.x[2] == "2" and all.y[1] == "3")

assert(not pcall(url.encode), "encode needs a string")
