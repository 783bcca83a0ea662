-- string.find, match, gmatch, gsub and rep as luaserve installs them
-- (lua/stdlib/strings.go, over lua/pattern), run by TestLuaModules.
-- Each answer is Lua 5.1.5's.

local function pack(...) return { n = select("#", ...), ... } end
local function same(t, ...)
  local want = pack(...)
  if t.n ~= want.n then return false end
  for i = 1, t.n do if t[i] ~= want[i] then return false end end
  return true
end
local function fails(want, f, ...)
  local ok, err = pcall(f, ...)
  return not ok and err:find(want, 1, true) ~= nil
end

-- find
assert(same(pack(string.find("hello world", "o w")), 5, 7))
assert(same(pack(string.find("hello", "l+")), 3, 4))
assert(same(pack(string.find("hello", "xyz")), nil))
assert(same(pack(string.find("key = val", "(%w+)%s*=%s*(%w+)")), 1, 9, "key", "val"))
assert(same(pack(string.find("hello", "()ll()")), 3, 4, 3, 5))
assert(same(pack(string.find("a.b", ".", 1, true)), 2, 2), "plain")
assert(same(pack(string.find("a+b", "+", 1, 1)), 2, 2), "any true value is plain")
assert(same(pack(string.find("f(x)", "x)")), 3, 4), "no specials: a plain search, ')' and all")
assert(same(pack(string.find("abcabc", "b", 3)), 5, 5))
assert(same(pack(string.find("abcabc", "b", -2)), 5, 5), "negative init counts from the end")
assert(same(pack(string.find("abcabc", "b", -100)), 2, 2))
assert(same(pack(string.find("abc", "", 10)), 4, 3), "init past the end starts at the end")
assert(same(pack(string.find("abc", "", 2)), 2, 1))
assert(same(pack(string.find("abc", "$", 10)), 4, 3))
assert(same(pack(string.find("abc", "b", "2")), 2, 2), "a numeric string init")
assert(same(pack(string.find("THE (quick) fox", "%f[%a]%a+", 5)), 6, 10), "frontier")
assert(same(pack(string.find("f(a(b)c)d", "%b()")), 2, 8))
assert(same(pack(string.find(12345, 34)), 3, 4), "numbers are strings")

-- match
assert(string.match("  padded  ", "^%s*(.-)%s*$") == "padded")
assert(string.match("hello", "l+") == "ll")
assert(same(pack(string.match("hello", "x")), nil), "nil, not nothing")
assert(same(pack(string.match("key=val", "(%w+)=(%w+)")), "key", "val"))
assert(string.match("hello", "()ll") == 3)
assert(string.match("abcabc", "b.", 4) == "bc")
assert(string.match("abc", "^b", 2) == "b", "'^' anchors at init")
assert(string.match([[say "hi" or 'no']], [[(["'])(.-)%1]]) == '"')
assert(select(2, string.match([[say "hi" or 'no']], [[(["'])(.-)%1]])) == "hi")

-- gmatch
local words = {}
for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
assert(table.concat(words, ",") == "one,two,three")
local pairs_ = {}
for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. v end
assert(table.concat(pairs_, ",") == "a1,b2")
local empties = {}
for w in string.gmatch("abc", "%a*") do empties[#empties + 1] = "[" .. w .. "]" end
assert(table.concat(empties) == "[abc][]", "an empty match at the end, as in Lua 5.1")
local carets = {}
for w in string.gmatch("^a^a", "^a") do carets[#carets + 1] = w end
assert(#carets == 2 and carets[2] == "^a", "a leading '^' is a literal in gmatch")
local iter = string.gmatch("ab", ".")
assert(iter() == "a" and iter() == "b" and iter() == nil and iter() == nil)
assert(string.gfind == nil or string.gfind("ab", "b")() == "b")

-- gsub
assert(same(pack(string.gsub("hello world", "o", "0")), "hell0 w0rld", 2))
assert(same(pack(string.gsub("hello world", "(%w+)", "<%1>")), "<hello> <world>", 2))
assert(string.gsub("abc", "%w", "%0%0") == "aabbcc")
assert(string.gsub("abc", "b", "%%") == "a%c")
assert(string.gsub("abc", "b", "%x") == "axc", "%x is x in Lua 5.1")
assert(string.gsub("abc", "b", "%1") == "abc", "%1 with no captures is the match")
assert(string.gsub("abc", "()b", "%1") == "a2c", "a position capture is its position")
assert(same(pack(string.gsub("abc", "%w", "-", 2)), "--c", 2), "at most n")
assert(same(pack(string.gsub("abc", "%w", "-", 0)), "abc", 0))
assert(same(pack(string.gsub("hello", "", "-")), "-h-e-l-l-o-", 6))
assert(same(pack(string.gsub("abc", "b*", "-")), "-a--c-", 4), "Lua 5.1 counts the empty match after b")
assert(same(pack(string.gsub("aaa", "^a", "x")), "xaa", 1), "'^' anchors")
assert(string.gsub("$name is $age", "%$(%w+)", { name = "Ann", age = 7 }) == "Ann is 7")
assert(string.gsub("$x $y", "%$(%w+)", { x = false }) == "$x $y", "false or nil keeps the match")
assert(string.gsub("a b", "%w", function(c) return c:upper() end) == "A B")
assert(string.gsub("a b", "%w", function() end) == "a b")
assert(string.gsub("k=v", "(%w)=(%w)", function(k, v) return v .. "=" .. k end) == "v=k")
assert(string.gsub("abc", "b", 5) == "a5c", "a number replacement")
assert(fails("invalid replacement value (a table)", string.gsub, "a", "a", function() return {} end))
assert(fails("invalid capture index", string.gsub, "abc", "(b)", "%2"))
assert(fails("string/function/table expected", string.gsub, "abc", "b", true))

-- rep
assert(string.rep("ab", 3) == "ababab")
assert(string.rep("ab", 3, ",") == "ababab", "Lua 5.1 has no separator")
assert(string.rep("x", 0) == "" and string.rep("x", -5) == "")
assert(string.rep("x", 2.9) == "xx", "n is truncated")
assert(string.rep("", 1e9) == "", "nothing repeated is nothing")
assert(#string.rep("abc", 1e6) == 3e6, "past one chunk")
assert(#string.rep("abcdefg", 300001) == 2100007, "a chunk that is not a power of two")
assert(string.rep("abcdefg", 300001):sub(-8) == "gabcdefg")
assert(fails("resulting string too large", string.rep, "x", 3e9))
assert(fails("resulting string too large", string.rep, "xy", 1e300))

-- methods go through the same table
local s = "key = value"
assert(s:find("=", 1, true) == 5)
assert(s:match("(%w+)$") == "value")
assert(s:gsub("%s", "") == "key=value")
assert(("ab"):rep(2) == "abab")

-- malformed patterns
assert(fails("malformed pattern (ends with '%')", string.find, "x", "x%"))
assert(fails("malformed pattern (missing ']')", string.match, "x", "[x"))
assert(fails("missing '[' after '%f' in pattern", string.match, "x", "%fx"))
assert(fails("invalid capture index", string.match, "x", "%1"))
assert(fails("invalid pattern capture", string.match, "x", "x)"))
assert(fails("unfinished capture", string.match, "x", "(x"))
assert(fails("unbalanced pattern", string.match, "x", "%b("))
assert(fails("pattern too complex", string.match, ("a"):rep(300), ("a?"):rep(300)))
